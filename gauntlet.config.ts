// Gauntlet's own config: the demo environment (started by `gauntlet demo` and the tests) and
// the shape a staging environment takes.
import { defineConfig } from './src/index.ts';

export default defineConfig({
  environments: {
    demo: {
      baseUrl: '${env:DEMO_BASE_URL}',
      postgres: { url: '${env:DEMO_DB_URL}' },
      redis: { url: '${env:DEMO_REDIS_URL}' },
    },
    staging: { baseUrl: 'https://staging.example.com', headers: { 'x-api-key': '${env:STAGING_API_KEY}' } },
  },
  defaultEnvironment: 'demo',
  smoke: ['smoke/*.smoke.ts', 'smoke/*.smoke.yaml'],
  gate: { smoke: true, load: 'scenarios/post-deploy.ts' },
  // `gauntlet drill` (on the demo stack: `gauntlet demo --drill`): the quarterly DR exercise,
  // judged against the DR plan the demo's operators signed up to.
  drill: {
    name: 'quarterly DR drill',
    plan: { rto: '<2h', rpo: '<1h' },
    scenarios: [
      { name: 'API worker kill', experiment: 'chaos/worker-kill.yaml' },
      { name: 'DB failover', experiment: 'chaos/db-failover.yaml' },
      { name: 'backup restore', experiment: 'chaos/backup-restore.yaml' },
    ],
  },
});

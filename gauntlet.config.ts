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
});

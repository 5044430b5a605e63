// Entry of the demo API image (gauntlet.local/demo-api:1, scripts/build-images.sh): configured
// like a twelve-factor app, from its environment — PORT, DATABASE_URL, REDIS_URL, DEMO_PASSWORD,
// JWT_SECRET, WORKERS, METRICS_PORT — then the same cluster as the demo stack runs.
import { createJiti } from 'jiti';

const env = process.env;
const need = (name) => {
  if (!env[name]) {
    console.error(`demo-api: ${name} is not set`);
    process.exit(2);
  }
  return env[name];
};
const port = Number(need('PORT'));
process.env.DEMO_API_CONFIG = JSON.stringify({
  port,
  host: '127.0.0.1',
  password: need('DEMO_PASSWORD'),
  jwtSecret: env.JWT_SECRET ?? need('DEMO_PASSWORD'),
  workers: Number(env.WORKERS ?? 2),
  pidFile: '/tmp/api.pid',
  metricsPort: Number(env.METRICS_PORT ?? port + 1),
  rateLimitPerMinute: Number(env.RATE_LIMIT_PER_MINUTE ?? 100),
  ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
  ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
});
console.log(`demo-api: listening on 127.0.0.1:${port}`);
await createJiti(import.meta.url).import('./cluster.ts');

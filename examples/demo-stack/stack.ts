// The whole demo stack on loopback: real PostgreSQL and Redis (Debian's), the API migrated into
// PostgreSQL and caching in Redis, and its frontend page. Stopped in reverse order.
import { randomBytes } from 'node:crypto';
import { startPostgres, type LocalPostgres } from '../../src/targets/local/postgres.ts';
import { startRedis, type LocalRedis } from '../../src/targets/local/redis.ts';
import { startDemoApi, type DemoApi } from './api.ts';

export interface DemoStack {
  api: DemoApi;
  postgres: LocalPostgres;
  redis: LocalRedis;
  password: string;
  /** The environment variables gauntlet.config.ts's demo environment reads. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startDemoStack(opts: { rateLimitPerMinute?: number; password?: string } = {}): Promise<DemoStack> {
  const password = opts.password ?? `demo-${randomBytes(6).toString('hex')}`;
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => {});
  };
  try {
    const [postgres, redis] = await Promise.allSettled([startPostgres(), startRedis()]);
    for (const r of [postgres, redis]) if (r.status === 'fulfilled') started.push(r.value);
    if (postgres.status === 'rejected') throw postgres.reason;
    if (redis.status === 'rejected') throw redis.reason;
    const api = await startDemoApi({
      password,
      jwtSecret: randomBytes(32).toString('hex'),
      rateLimitPerMinute: opts.rateLimitPerMinute ?? 100,
      databaseUrl: postgres.value.url,
      redisUrl: redis.value.url,
    });
    started.push({ stop: () => api.close() });
    return {
      api,
      postgres: postgres.value,
      redis: redis.value,
      password,
      env: { DEMO_BASE_URL: api.url, DEMO_PASSWORD: password, DEMO_DB_URL: postgres.value.url, DEMO_REDIS_URL: redis.value.url },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

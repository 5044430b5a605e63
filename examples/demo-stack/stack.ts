// The whole demo stack on loopback: real PostgreSQL and Redis (Debian's, or with `docker` each in
// a container from the images named), the API migrated into PostgreSQL and caching in Redis, and
// its frontend page. Stopped in reverse order.
import { randomBytes } from 'node:crypto';
import { startPostgres } from '../../src/targets/local/postgres.ts';
import { startRedis } from '../../src/targets/local/redis.ts';
import { startPostgresContainer } from '../../src/targets/docker-postgres.ts';
import { startRedisContainer } from '../../src/targets/docker-redis.ts';
import { startPatroniCluster, type PatroniCluster } from '../../src/targets/local/patroni.ts';
import { join } from 'node:path';
import { freePort, startDaemon, stopPid, tempDir, waitForPort } from '../../src/targets/local/process.ts';
import type { DemoApi } from './api.ts';

export interface DemoStack {
  api: DemoApi & { pidFile: string; pid: number };
  /** The API's database: one PostgreSQL, or with `ha` the HAProxy front of a Patroni cluster. */
  postgres: { url: string; port: number };
  /** With `ha`: the three-member Patroni + etcd + HAProxy cluster. */
  patroni?: PatroniCluster;
  redis: { url: string; port: number };
  password: string;
  /** The environment variables gauntlet.config.ts's demo environment reads. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface DemoStackOptions {
  /** Share of /api/items requests answered 500 (0–1). */
  errorRatio?: number;
  rateLimitPerMinute?: number;
  password?: string;
  /** API worker processes under the cluster primary (default 2). */
  workers?: number;
  /** PostgreSQL as a three-member Patroni cluster behind HAProxy instead of a single server. */
  ha?: boolean;
  /** PostgreSQL and Redis as containers of these images (a Docker engine, no pull) instead of Debian's servers. */
  docker?: { postgresImage: string; redisImage: string };
}

export async function startDemoStack(opts: DemoStackOptions = {}): Promise<DemoStack> {
  const password = opts.password ?? `demo-${randomBytes(6).toString('hex')}`;
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => {});
  };
  try {
    const db = async (): Promise<{ url: string; port: number; patroni?: PatroniCluster; stop(): Promise<void> }> => {
      if (opts.docker) {
        const c = await startPostgresContainer({ image: opts.docker.postgresImage, mounts: [], timeoutMs: 60_000 });
        return { url: c.superuserUrl, port: c.port, stop: c.stop };
      }
      if (!opts.ha) return startPostgres();
      // Synchronous mode: the demo claims "no acknowledged write lost" (RPO 0), which only
      // synchronous replication promises; async can lose the write a dying leader acknowledged.
      const c = await startPatroniCluster({ synchronous: true });
      return { url: c.appUrl, port: c.haproxyPort, patroni: c, stop: () => c.stop() };
    };
    const cache = async (): Promise<{ url: string; port: number; stop(): Promise<void> }> => {
      if (!opts.docker) return startRedis();
      return startRedisContainer({ image: opts.docker.redisImage, timeoutMs: 30_000 });
    };
    const [postgres, redis] = await Promise.allSettled([db(), cache()]);
    for (const r of [postgres, redis]) if (r.status === 'fulfilled') started.push(r.value);
    if (postgres.status === 'rejected') throw postgres.reason;
    if (redis.status === 'rejected') throw redis.reason;
    const api = await startApiCluster({
      password,
      jwtSecret: randomBytes(32).toString('hex'),
      rateLimitPerMinute: opts.rateLimitPerMinute ?? 100,
      databaseUrl: postgres.value.url,
      redisUrl: redis.value.url,
      workers: opts.workers ?? 2,
      ...(opts.errorRatio ? { errorRatio: opts.errorRatio } : {}),
    });
    started.push({ stop: () => api.close() });
    return {
      api,
      postgres: { url: postgres.value.url, port: postgres.value.port },
      ...(postgres.value.patroni ? { patroni: postgres.value.patroni } : {}),
      redis: redis.value,
      password,
      env: {
        DEMO_BASE_URL: api.url,
        DEMO_PASSWORD: password,
        DEMO_DB_URL: postgres.value.url,
        DEMO_REDIS_URL: redis.value.url,
        DEMO_API_PIDFILE: api.pidFile,
        DEMO_METRICS_URL: api.metricsUrl,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The API as its own process: a cluster primary and its workers, ended by the primary's PID. */
async function startApiCluster(o: {
  password: string;
  jwtSecret: string;
  rateLimitPerMinute: number;
  databaseUrl: string;
  redisUrl: string;
  workers: number;
  errorRatio?: number;
}): Promise<DemoApi & { pidFile: string; pid: number; metricsUrl: string }> {
  const dir = tempDir('gauntlet-api-');
  const port = await freePort();
  const metricsPort = await freePort();
  const pidFile = join(dir, 'api.pid');
  const log = join(dir, 'api.log');
  const d = startDaemon(process.execPath, [new URL('./cluster-entry.mjs', import.meta.url).pathname], {
    log,
    env: { ...process.env, DEMO_API_CONFIG: JSON.stringify({ ...o, port, pidFile, metricsPort }) },
  });
  try {
    await waitForPort(port, 30_000, 'the demo API', log);
    await waitForPort(metricsPort, 10_000, 'the demo API metrics', log);
  } catch (err) {
    await stopPid(d.pid);
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: d.pid,
    pidFile,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    close: () => stopPid(d.pid, 'SIGTERM', 5000),
  };
}

// A real Redis from Debian's packages on a free loopback port, no persistence, password set.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startDaemon, stopPid, tempDir, waitForPort } from './process.ts';

export interface LocalRedis {
  port: number;
  pid: number;
  /** redis://:<password>@127.0.0.1:<port>/0 */
  url: string;
  stop(): Promise<void>;
}

export async function startRedis(opts: { password?: string; maxmemory?: string } = {}): Promise<LocalRedis> {
  const password = opts.password ?? `rp-${Math.random().toString(36).slice(2, 12)}`;
  const dir = tempDir('gauntlet-redis-');
  const port = await freePort();
  const conf = join(dir, 'redis.conf');
  writeFileSync(
    conf,
    `${[
      `bind 127.0.0.1`,
      `port ${port}`,
      `dir ${dir}`,
      `save ""`,
      `appendonly no`,
      `requirepass ${password}`,
      `daemonize no`,
      ...(opts.maxmemory ? [`maxmemory ${opts.maxmemory}`] : []),
    ].join('\n')}\n`,
  );
  const log = join(dir, 'redis.log');
  const d = startDaemon('redis-server', [conf], { log });
  await waitForPort(port, 10_000, `Redis on 127.0.0.1:${port}`, log);
  return {
    port,
    pid: d.pid,
    url: `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}/0`,
    stop: async () => {
      await stopPid(d.pid, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A scratch PostgreSQL in a container (docker.ts: whatever engine answers, never a pull): for
// restoring a backup with the PostgreSQL major that made it when this machine's binaries are
// another. Host networking on a free 127.0.0.1 port (no bridge, no published ports), the official
// postgres image's interface (POSTGRES_PASSWORD, arguments to postgres); removed on stop, and by
// the dead man's switch should Gauntlet be killed outright.
import { randomBytes } from 'node:crypto';
import type { StartedTestContainer } from 'testcontainers';
import { own, requireLocalImage, testcontainers } from './docker.ts';
import { freePort } from './local/process.ts';
import { withPg } from './pg.ts';
import { sleep } from '../core/sleep.ts';

export interface ScratchContainer {
  image: string;
  /** The image's id (sha256:…): what exactly ran, for the report. */
  imageId: string;
  containerId: string;
  port: number;
  /** postgres://postgres:…@127.0.0.1:port/postgres */
  superuserUrl: string;
  /** A command in the container as root (pg_dump, pg_restore, psql); a non-zero exit throws with its output's tail. */
  exec(cmd: string[], env?: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgresContainer(opts: {
  image: string;
  /** Known already (the caller chose the image by it); looked up otherwise. */
  imageId?: string;
  /** Host folders the container sees (the backup's). */
  mounts: { source: string; target: string; mode: 'ro' | 'rw' }[];
  timeoutMs: number;
  /** A fixed port on 127.0.0.1; a free one by default. */
  port?: number;
}): Promise<ScratchContainer> {
  const { GenericContainer, Wait, PullPolicy } = await testcontainers();
  const imageId = opts.imageId ?? (await requireLocalImage(opts.image)).id;
  const port = opts.port ?? (await freePort());
  const password = randomBytes(18).toString('base64url');
  let started: StartedTestContainer;
  try {
    started = await new GenericContainer(opts.image)
      .withPullPolicy({ shouldPull: () => false } satisfies ReturnType<typeof PullPolicy.defaultPolicy>)
      .withNetworkMode('host')
      .withEnvironment({ POSTGRES_PASSWORD: password })
      .withCommand(['-c', `port=${port}`, '-c', 'listen_addresses=127.0.0.1'])
      .withBindMounts(opts.mounts)
      .withLabels({ 'io.gauntlet.role': 'scratch-postgres' })
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/))
      .withStartupTimeout(opts.timeoutMs)
      .start();
  } catch (err) {
    throw new Error(`the container of ${opts.image} did not start: ${(err as Error).message.split('\n')[0]}`);
  }
  const { id: containerId, stop } = own(started);
  const superuserUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  try {
    // The official image logs "ready" once for its init-time server too: ready is when TCP answers.
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      try {
        await withPg({ connectionString: superuserUrl, connectionTimeoutMillis: 2000 }, (c) => c.query('select 1'));
        break;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`PostgreSQL in ${opts.image} did not answer: ${(err as Error).message}`);
        await sleep(200);
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    image: opts.image,
    imageId,
    containerId,
    port,
    superuserUrl,
    async exec(cmd, env = {}) {
      const r = await started.exec(cmd, { user: 'root', env });
      if (r.exitCode !== 0) {
        const tail = r.output.trim().split('\n').filter(Boolean).slice(-3).join(' / ');
        throw new Error(`${cmd[0]} in ${opts.image} failed (exit ${r.exitCode})${tail ? `: ${tail}` : ''}`);
      }
      return r.stdout;
    },
    stop,
  };
}

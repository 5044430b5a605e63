// A scratch PostgreSQL in a container, through whatever Docker engine answers (DOCKER_HOST, the
// usual sockets) with testcontainers: for restoring a backup with the PostgreSQL major that made
// it when this machine's binaries are another. Host networking on a free 127.0.0.1 port (no
// bridge, no published ports), the official postgres image's interface (POSTGRES_PASSWORD, args
// to postgres). Never pulls: an image that is not in the engine is said, not fetched. Removed on
// stop, and by a dead man's switch should Gauntlet be killed outright. testcontainers' own reaper
// (Ryuk) is off: it is an image to pull.
import { randomBytes } from 'node:crypto';
import type { StartedTestContainer } from 'testcontainers';
import { onOwnerDeath, shellWord, type DeadManSwitch } from './local/deadman.ts';
import { freePort, sleep } from './local/process.ts';
import { withPg } from './pg.ts';

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

async function testcontainers() {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  // Host networking: the containers are on this host's loopback. Without this, testcontainers run
  // inside a container looks for the engine's bridge network, which a --bridge=none engine lacks.
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  return import('testcontainers');
}

/** The Docker engine testcontainers finds, or why there is none: one line, never a hang (10 s). */
export async function dockerEngine(): Promise<{ ok: true; host: string } | { ok: false; why: string }> {
  const { getContainerRuntimeClient } = await testcontainers();
  let timer: NodeJS.Timeout | undefined;
  try {
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000);
      }),
    ]);
    return { ok: true, host: process.env.DOCKER_HOST ?? `unix://${client.info.containerRuntime.remoteSocketPath}` };
  } catch (err) {
    return { ok: false, why: (err as Error).message.split('\n')[0]! };
  } finally {
    clearTimeout(timer);
  }
}

/** The image's id when the engine has it; undefined when it has not (Gauntlet never pulls). */
export async function localImageId(image: string): Promise<string | undefined> {
  const { getContainerRuntimeClient, ImageName } = await testcontainers();
  const client = await getContainerRuntimeClient();
  const name = ImageName.fromString(image);
  if (!(await client.image.exists(name))) return undefined;
  return (await client.image.inspect(name)).Id;
}

/** The docker CLI, or curl on the socket, removes the container: the dead man's switch's line. */
function removeScript(id: string): string {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const socket = host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
  const curl = socket
    ? ` || curl -s --unix-socket ${shellWord(socket)} -X DELETE ${shellWord(`http://docker/containers/${id}?force=true&v=true`)}`
    : '';
  return `DOCKER_HOST=${shellWord(host)} docker rm -f -v ${shellWord(id)} >/dev/null 2>&1${curl} >/dev/null 2>&1`;
}

export async function startPostgresContainer(opts: {
  image: string;
  imageId: string;
  /** Host folders the container sees (the backup's). */
  mounts: { source: string; target: string; mode: 'ro' | 'rw' }[];
  timeoutMs: number;
  /** A fixed port on 127.0.0.1; a free one by default. */
  port?: number;
}): Promise<ScratchContainer> {
  const { GenericContainer, Wait, PullPolicy } = await testcontainers();
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
  const containerId = started.getId();
  const deadman: DeadManSwitch = onOwnerDeath(removeScript(containerId));
  const superuserUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    deadman.disarm();
    await started.stop({ remove: true, removeVolumes: true, timeout: 10_000 });
  };
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
    imageId: opts.imageId,
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

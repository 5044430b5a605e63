// The image under test as a container, for a gate before the deploy: started through Docker
// (docker.ts: whatever engine answers, host networking, never a pull), waited for until it
// answers on the environment's base URL, and removed after the run — or by the dead man's switch.
import type { StartedTestContainer } from 'testcontainers';
import { containerState, own, requireLocalImage, testcontainers } from './docker.ts';
import { sleep } from '../core/sleep.ts';

export interface ServiceContainer {
  image: string;
  imageId: string;
  repoDigests: string[];
  containerId: string;
  /** Time from start to the first answer. */
  readyMs: number;
  /** Still running, or what became of it (exited, or the engine stopped answering) and its output's end. */
  check(): Promise<{ running: true } | { running: false; why: string; logs: string }>;
  stop(): Promise<void>;
}

/** Why the image under test did not come up, with the end of its output. */
export class ServiceDidNotStart extends Error {
  constructor(
    readonly image: string,
    readonly why: string,
    readonly logs: string,
  ) {
    super(`${image}: ${why}`);
  }
}

const tail = async (c: StartedTestContainer): Promise<string> => {
  try {
    const stream = await c.logs();
    let out = '';
    await Promise.race([
      new Promise<void>((resolve) => {
        stream.on('data', (b: Buffer | string) => (out += b.toString()));
        stream.on('end', resolve);
        stream.on('error', () => resolve());
      }),
      sleep(2000),
    ]);
    stream.destroy();
    return out.trim().split('\n').slice(-20).join('\n');
  } catch (err) {
    return `(its logs could not be read: ${(err as Error).message})`;
  }
};

/**
 * Starts `image` and waits until `readyUrl` answers (any HTTP status below 500) within timeoutMs.
 * An image the engine lacks, a container that exits, or no answer in time: ServiceDidNotStart,
 * with its logs, and nothing left running.
 */
export async function startServiceContainer(o: {
  image: string;
  env: Record<string, string>;
  command?: string[] | undefined;
  readyUrl: string;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<ServiceContainer> {
  const found = await requireLocalImage(o.image);
  const { GenericContainer } = await testcontainers();
  const t0 = Date.now();
  let c = new GenericContainer(o.image)
    .withPullPolicy({ shouldPull: () => false })
    .withNetworkMode('host')
    .withEnvironment(o.env)
    .withLabels({ 'io.gauntlet.role': 'image-under-test' });
  if (o.command) c = c.withCommand(o.command);
  const owned = own(await c.start());
  const fail = async (why: string): Promise<never> => {
    const logs = await tail(owned.started);
    await owned.stop();
    throw new ServiceDidNotStart(o.image, why, logs);
  };
  for (;;) {
    if (o.signal.aborted) await fail('interrupted while waiting for it');
    const { running, what } = await containerState(owned.id);
    if (!running) await fail(`${what} before answering ${o.readyUrl}`);
    try {
      const r = await fetch(o.readyUrl, { signal: AbortSignal.timeout(2000), redirect: 'manual' });
      await r.body?.cancel();
      if (r.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > o.timeoutMs)
      await fail(`no answer from ${o.readyUrl} within ${Math.round(o.timeoutMs / 1000)} s`);
    await sleep(200);
  }
  return {
    image: o.image,
    imageId: found.id,
    repoDigests: found.repoDigests,
    containerId: owned.id,
    readyMs: Date.now() - t0,
    async check() {
      const { running, what } = await containerState(owned.id);
      if (running) return { running: true };
      return { running: false, why: `${what} during the run`, logs: await tail(owned.started) };
    },
    stop: owned.stop,
  };
}

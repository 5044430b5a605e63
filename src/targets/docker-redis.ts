// A Redis in a container (docker.ts: whatever engine answers, never a pull), the official image's
// interface (`redis-server --port …`): on a free 127.0.0.1 port with host networking, a password,
// no persistence; removed on stop, and by the dead man's switch should Gauntlet be killed outright.
import { randomBytes } from 'node:crypto';
import { own, requireLocalImage, testcontainers, type OwnedContainer } from './docker.ts';
import { freePort } from './local/process.ts';

export interface RedisContainer {
  containerId: string;
  port: number;
  /** redis://:…@127.0.0.1:port/0 */
  url: string;
  stop(): Promise<void>;
}

export async function startRedisContainer(opts: { image: string; timeoutMs: number }): Promise<RedisContainer> {
  const { GenericContainer, Wait } = await testcontainers();
  await requireLocalImage(opts.image);
  const port = await freePort();
  const password = randomBytes(18).toString('base64url');
  let owned: OwnedContainer;
  try {
    owned = own(
      await new GenericContainer(opts.image)
        .withPullPolicy({ shouldPull: () => false })
        .withNetworkMode('host')
        .withCommand([
          'redis-server',
          ...['--port', `${port}`, '--bind', '127.0.0.1', '--requirepass', password],
          ...['--save', '', '--appendonly', 'no'],
        ])
        .withLabels({ 'io.gauntlet.role': 'redis' })
        .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
        .withStartupTimeout(opts.timeoutMs)
        .start(),
    );
  } catch (err) {
    throw new Error(`the container of ${opts.image} did not start: ${(err as Error).message.split('\n')[0]}`);
  }
  return {
    containerId: owned.id,
    port,
    url: `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}/0`,
    stop: owned.stop,
  };
}

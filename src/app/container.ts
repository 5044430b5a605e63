// The image under test, for a gate before the deploy: its PostgreSQL and Redis (when declared)
// each in its own container first, then the image with their URLs, waited for until it answers.
// After the run: is everything still running? An image that died mid-run, or an engine that went
// away, fails the gate — a run against a dead target proves nothing. Then all of it is removed.
import { cannotRun, describeError } from '../core/errors.ts';
import { formatMs } from '../core/duration.ts';
import type { Redactor } from '../core/redact.ts';
import { withImageServers, type Environment } from '../config/schema.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { Verdict } from '../record/schema.ts';
import { containerFailedVerdict, containerLostVerdict, containerReadyVerdict } from '../slo/container.ts';

interface Started {
  what: string;
  containerId: string;
  stop(): Promise<void>;
}

export interface ImageUnderTest {
  /** It came up (pass) or did not (fail, with its output). */
  verdict: Verdict;
  /** What exactly ran, for the record; undefined when it never started. */
  ran?: { image: string; imageId: string; repoDigests?: string[] };
  /** The config with the environment's postgres/redis URLs from the servers beside the image. */
  config: LoadedConfig;
  /** After the run: a failing verdict when the image or a server beside it is no longer running. */
  afterRun(): Promise<Verdict | undefined>;
  /** Removes every container; what could not be removed goes to errors. */
  stop(errors: string[]): Promise<void>;
}

export async function startImageUnderTest(
  loaded: LoadedConfig,
  env: Environment,
  o: { say(line: string): void; signal: AbortSignal; redactor: Redactor },
): Promise<ImageUnderTest> {
  const c = env.container!;
  const started: Started[] = [];
  const stop = async (errors: string[]) => {
    for (const s of started.splice(0).reverse())
      await s.stop().then(
        () => o.say(`container: ${s.what} stopped and removed`),
        (err: unknown) =>
          errors.push(`container: could not remove ${s.what} (${s.containerId}): ${describeError(err)}`),
      );
  };
  const imageEnv = { ...c.env };
  const urls: { postgres?: string; redis?: string } = {};
  try {
    // Each server the image needs, in its own container, all at once.
    const servers = [
      c.postgres && {
        key: 'postgres' as const,
        spec: c.postgres,
        start: async () => {
          const { startPostgresContainer } = await import('../targets/docker-postgres.ts');
          const s = await startPostgresContainer({ image: c.postgres!.image, mounts: [], timeoutMs: 60_000 });
          return { ...s, url: s.superuserUrl };
        },
      },
      c.redis && {
        key: 'redis' as const,
        spec: c.redis,
        start: async () =>
          (await import('../targets/docker-redis.ts')).startRedisContainer({
            image: c.redis!.image,
            timeoutMs: 30_000,
          }),
      },
    ].filter((x) => !!x);
    const up = await Promise.allSettled(
      servers.map(async ({ key, spec, start }) => {
        o.say(`container: starting ${spec.image} for it (its ${spec.urlVar})`);
        const s = await start();
        started.push({ what: spec.image, containerId: s.containerId, stop: s.stop });
        o.redactor.add(new URL(s.url).password);
        urls[key] = imageEnv[spec.urlVar] = s.url;
      }),
    );
    for (const r of up) if (r.status === 'rejected') throw r.reason;

    const readyUrl = new URL(c.waitFor.path, env.baseUrl).toString();
    o.say(`container: starting ${c.image} (waiting for ${readyUrl} to answer, at most ${formatMs(c.waitFor.timeout)})`);
    const { startServiceContainer, ServiceDidNotStart } = await import('../targets/docker-service.ts');
    const { containerState } = await import('../targets/docker.ts');
    const config = withServerUrls(loaded, urls);
    try {
      const service = await startServiceContainer({
        image: c.image,
        env: imageEnv,
        command: c.command,
        readyUrl,
        timeoutMs: c.waitFor.timeout,
        signal: o.signal,
      });
      started.push({ what: c.image, containerId: service.containerId, stop: service.stop });
      o.say(`container: ${c.image} (${service.imageId.slice(0, 19)}) answered in ${formatMs(service.readyMs)}`);
      const ran = {
        image: service.image,
        imageId: service.imageId,
        ...(service.repoDigests.length ? { repoDigests: service.repoDigests } : {}),
      };
      return {
        verdict: containerReadyVerdict(service, c.waitFor.path, c.waitFor.timeout),
        ran,
        config,
        async afterRun() {
          const image = await service.check();
          if (!image.running) return containerLostVerdict(c.image, image, c.waitFor.path, c.waitFor.timeout);
          for (const s of started.filter((x) => x.containerId !== service.containerId)) {
            const { running, what } = await containerState(s.containerId);
            if (!running)
              return containerLostVerdict(
                s.what,
                { why: `${what} during the run`, logs: '' },
                c.waitFor.path,
                c.waitFor.timeout,
              );
          }
          return undefined;
        },
        stop,
      };
    } catch (err) {
      if (!(err instanceof ServiceDidNotStart)) throw err;
      o.say(`container: ${err.message}`);
      return {
        verdict: containerFailedVerdict(err, c.waitFor.path, c.waitFor.timeout),
        config,
        afterRun: async () => undefined,
        stop,
      };
    }
  } catch (err) {
    await stop([]);
    throw cannotRun(`container: ${describeError(err)}`);
  }
}

/** The config with the chosen environment's postgres and redis from the servers beside the image (unless it sets them). */
function withServerUrls(loaded: LoadedConfig, urls: { postgres?: string; redis?: string }): LoadedConfig {
  const envs = loaded.config.environments;
  const env = withImageServers(envs[loaded.envName]!, urls);
  return { ...loaded, config: { ...loaded.config, environments: { ...envs, [loaded.envName]: env } } };
}

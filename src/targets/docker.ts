// Docker through testcontainers, as Gauntlet uses it: whatever engine answers (DOCKER_HOST, the
// usual sockets), host networking, never a pull, and a dead man's switch that removes a
// container should Gauntlet be killed outright (testcontainers' Ryuk reaper is off: it is an
// image to pull). Loaded only when a container is asked for (the library takes 600 ms to import).
import type { StartedTestContainer } from 'testcontainers';
import { onOwnerDeath, shellWord, type DeadManSwitch } from './local/deadman.ts';

export async function testcontainers() {
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
  return (await localImage(image))?.id;
}

/** The image as the engine has it; when it has not, one line saying so (Gauntlet never pulls). */
export async function requireLocalImage(image: string): Promise<{ id: string; repoDigests: string[] }> {
  const found = await localImage(image);
  if (!found) throw new Error(`${image}: not in the Docker engine (Gauntlet never pulls: build or pull it)`);
  return found;
}

/** The image's id and the registry digests it is known by, when the engine has it. */
export async function localImage(image: string): Promise<{ id: string; repoDigests: string[] } | undefined> {
  const { getContainerRuntimeClient, ImageName } = await testcontainers();
  const client = await getContainerRuntimeClient();
  const name = ImageName.fromString(image);
  if (!(await client.image.exists(name))) return undefined;
  const info = await client.image.inspect(name);
  return { id: info.Id, repoDigests: info.RepoDigests ?? [] };
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

/** Armed until disarmed: the container goes if this process dies first. */
export function removeOnOwnerDeath(containerId: string): DeadManSwitch {
  return onOwnerDeath(removeScript(containerId));
}

/** A container Gauntlet started: removed (with its volumes) on stop, or by the dead man's switch. */
export interface OwnedContainer {
  id: string;
  started: StartedTestContainer;
  stop(): Promise<void>;
}

export function own(started: StartedTestContainer): OwnedContainer {
  const deadman = removeOnOwnerDeath(started.getId());
  return {
    id: started.getId(),
    started,
    async stop() {
      deadman.disarm();
      await started.stop({ remove: true, removeVolumes: true, timeout: 10_000 });
    },
  };
}

/**
 * What became of a container Gauntlet started, as the subject of a sentence: "the container is
 * running", "the container exited with code 1", "the Docker engine stopped answering (…)".
 * Never waits more than 10 s.
 */
export async function containerState(id: string): Promise<{ running: boolean; what: string }> {
  const { getContainerRuntimeClient } = await testcontainers();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      (async () => {
        const client = await getContainerRuntimeClient();
        const { State } = await client.container.inspect(client.container.getById(id));
        if (State.Running) return { running: true, what: 'the container is running' };
        const oom = State.OOMKilled ? ' (out of memory)' : '';
        return { running: false, what: `the container exited with code ${State.ExitCode}${oom}` };
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10_000);
      }),
    ]);
  } catch (err) {
    return {
      running: false,
      what: `the Docker engine stopped answering (${(err as Error).message.split('\n')[0]})`,
    };
  } finally {
    clearTimeout(timer);
  }
}

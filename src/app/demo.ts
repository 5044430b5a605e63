// `gauntlet demo`: brings up the demo stack (the API as a Node cluster, PostgreSQL as a Patroni
// cluster behind HAProxy, Redis, the frontend), runs the gate against it, then kills an API
// worker and fails the database over, each under load with its probes — one run record, one
// report — and tears the stack down whatever happened.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GauntletError, cannotRun, configError, describeError } from '../core/errors.ts';
import type { Flags } from '../config/load.ts';
import type { ChaosResult } from '../record/schema.ts';
import { runSession, type Finished, type Io, type Session, type SessionResult } from './session.ts';
import { runGate } from './gate.ts';
import { runChaos } from './chaos.ts';
import { runDrill } from './drill.ts';
import { inPhase } from '../slo/verdict.ts';

/**
 * What the demo uses of examples/demo-stack. The stack is an example, TypeScript run through jiti
 * like a user's files, not part of the compiled package (test/demo.test.ts checks this shape).
 */
export interface DemoStackHandle {
  api: { url: string };
  postgres: { port: number };
  redis: { port: number };
  env: Record<string, string>;
  patroni?: {
    haproxyPort: number;
    members: { name: string; restUrl: string }[];
    restartCommand(name: string): string[];
  };
  stop(): Promise<void>;
}
const STACK = fileURLToPath(new URL('../../examples/demo-stack/stack.ts', import.meta.url));

type DemoStackOptions = { ha: boolean; docker?: { postgresImage: string; redisImage: string } };

async function startDemoStack(opts: DemoStackOptions): Promise<DemoStackHandle> {
  if (!existsSync(STACK))
    throw cannotRun(
      'gauntlet demo runs from a checkout of Gauntlet: the demo stack (examples/demo-stack) is not in the installed package',
    );
  const { createJiti } = await import('jiti');
  const stack = await createJiti(import.meta.url).import<{
    startDemoStack(o: DemoStackOptions): Promise<DemoStackHandle>;
  }>(STACK);
  return stack.startDemoStack(opts);
}

const PACKAGE_CONFIG = fileURLToPath(new URL('../../gauntlet.config.ts', import.meta.url));
const EXPERIMENTS = [
  { title: 'worker kill', file: fileURLToPath(new URL('../../chaos/worker-kill.yaml', import.meta.url)) },
  { title: 'db failover', file: fileURLToPath(new URL('../../chaos/db-failover.yaml', import.meta.url)) },
];

export async function demoApp(
  flags: Flags & { drill?: boolean; docker?: { postgresImage: string; redisImage: string } },
  io: Io,
): Promise<Finished> {
  const docker = flags.docker;
  if (docker && flags.drill)
    throw configError(
      'gauntlet demo --drill --docker: the drill fails the database over, which needs the local Patroni cluster (Debian’s PostgreSQL and Patroni); run it without --docker',
    );
  io.print(
    docker
      ? `demo: starting the demo stack on 127.0.0.1 (the API as a Node cluster, PostgreSQL (${docker.postgresImage}) and Redis (${docker.redisImage}) as containers, the frontend)`
      : 'demo: starting the demo stack on 127.0.0.1 (the API as a Node cluster, PostgreSQL as a 3-member Patroni cluster behind HAProxy, Redis, the frontend)',
  );
  const started = Date.now();
  const stack = await startDemoStack(docker ? { ha: false, docker } : { ha: true }).catch((err: unknown) => {
    throw err instanceof GauntletError ? err : cannotRun(`demo: the stack did not start: ${describeError(err)}`);
  });
  const c = stack.patroni;
  const took = ((Date.now() - started) / 1000).toFixed(1);
  io.print(
    c
      ? `demo: stack up in ${took} s — API and frontend at ${stack.api.url}, PostgreSQL through HAProxy on port ${c.haproxyPort} (Patroni members ${c.members.map((m) => m.name).join(', ')}), Redis on port ${stack.redis.port}`
      : `demo: stack up in ${took} s — API and frontend at ${stack.api.url}, PostgreSQL and Redis in containers on ports ${stack.postgres.port} and ${stack.redis.port}`,
  );
  // Without the Patroni cluster there is nothing to fail over: that experiment is not run (and says so).
  const experiments = c ? EXPERIMENTS : EXPERIMENTS.filter((e) => e.title !== 'db failover');
  if (!c) io.print('demo: the db failover experiment needs the local Patroni cluster: not run with --docker');
  try {
    return await runSession(
      flags.drill ? 'drill' : 'demo',
      { ...flags, config: flags.config ?? PACKAGE_CONFIG, env: 'demo' },
      { ...io, env: { ...io.env, ...stack.env } },
      async (raw) => {
        // The demo knows its cluster: hand its Patroni members and restart commands to the faults.
        const s = c
          ? withPatroni(raw, {
              restUrls: c.members.map((m) => m.restUrl),
              restart: Object.fromEntries(c.members.map((m) => [m.name, c.restartCommand(m.name)])),
            })
          : raw;
        if (flags.drill) return runDrill(s);
        const gate = await runGate(s);
        const chaos: ChaosResult[] = [];
        const verdicts = [...gate.verdicts];
        for (const [i, e] of experiments.entries()) {
          if (s.signal.aborted) break;
          s.say('');
          const r = await runChaos(s, e.file, false, `${s.runId}#${i + 1}`);
          chaos.push(...(r.chaos ?? []));
          verdicts.push(...r.verdicts.map((v) => inPhase(v, e.title)));
        }
        return { ...gate, chaos, verdicts } satisfies SessionResult;
      },
      flags.drill ? { drill: true } : { gate: true, files: experiments.map((e) => e.file) },
    );
  } finally {
    await stack.stop();
    io.print('demo: stack stopped');
  }
}

function withPatroni(s: Session, patroni: { restUrls: string[]; restart: Record<string, string[]> }): Session {
  const envs = s.config.config.environments;
  const demo = envs[s.config.envName]!;
  return {
    ...s,
    config: {
      ...s.config,
      config: { ...s.config.config, environments: { ...envs, [s.config.envName]: { ...demo, patroni } } },
    },
  };
}

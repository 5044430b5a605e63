// The plan stage: config + files → everything a command will run, checked before any side effect
// and reported at once — the chosen environment (its protocol, TLS files, Kubernetes allow-list),
// the smoke suites, load profiles (their thresholds, their SQL and Redis requests' URLs), chaos
// experiments (their SLO texts, their load profiles), the drill's DR plan, the engine and its
// binary. It reads the config's files and nothing else: no request, no process, no container.
// `gauntlet validate` prints it; every run command plans its own inputs before it starts anything.
import { coreSetting, dataRefusal, nativeRefusal } from '../config/core.ts';
import { dirname, resolve } from 'node:path';
import { ExitCode, GauntletError, configError, describeError } from '../core/errors.ts';
import { Redactor } from '../core/redact.ts';
import { readSource, resolveEnvironment, type LoadedConfig } from '../config/load.ts';
import { isK6Script } from '../config/profiles.ts';
import { notAllowListed, withImageServers, type Environment } from '../config/schema.ts';
import { tlsOptionsOf } from '../targets/tls.ts';
import { dataUrlProblems, hasDataRequests } from './data.ts';
import { PlannedFiles } from './files.ts';

export const ENGINES = ['embedded', 'k6', 'kubernetes', 'k6-operator'] as const;

/** The one line for an engine Gauntlet does not have. */
export const unknownEngine = (name: string) => `unknown load engine "${name}": expected one of ${ENGINES.join(', ')}`;

/** What a command will run. */
export interface PlanInputs {
  /** Its smoke suites (the config's globs). */
  smoke?: boolean;
  /** The gate: its smoke suites (when it runs them) and its load profile. */
  gate?: boolean;
  /** The drill's DR plan and experiments. */
  drill?: boolean;
  /** Load profiles and chaos experiments named on the command line (relative to cwd). */
  files?: readonly string[];
  /** --engine, or GAUNTLET_ENGINE. */
  engine?: string | undefined;
  /** Resolve and check the chosen environment (a run always does; validate when one is chosen). */
  environment: boolean;
  /**
   * Check its Kubernetes context against the allow-list even if nothing planned changes anything
   * there (validate does; a run leaves it to the Kubernetes client, before its first call).
   */
  allowList?: boolean;
}

export interface RunPlan {
  env?: Environment;
  suites: number;
  checks: number;
  profiles: number;
  experiments: number;
  /** One line each; empty when the plan may run. */
  problems: string[];
  /** 3 when a problem is something missing to run with (a tool, a file's server), else 2. */
  exitCode: 2 | 3;
  /** What the files hold, as checked: the run reads them from here, never again from disk. */
  files: PlannedFiles;
}

export async function planRun(
  loaded: LoadedConfig,
  io: { cwd: string; env: Record<string, string | undefined> },
  inputs: PlanInputs,
  files = new PlannedFiles(loaded, io.cwd),
): Promise<RunPlan> {
  const problems: string[] = [];
  /** Runs one check; a config problem (or a missing tool) is collected, a bug still throws. */
  const check = async <T>(what: () => Promise<T> | T): Promise<T | undefined> => {
    try {
      return await what();
    } catch (e) {
      if (!(e instanceof GauntletError)) throw e;
      problems.push(...(e.details.length ? e.details : [e.message]));
      if (e.exitCode === ExitCode.couldNotRun) plan.exitCode = 3;
      return undefined;
    }
  };
  const plan: RunPlan = { suites: 0, checks: 0, profiles: 0, experiments: 0, problems, exitCode: 2, files };
  const env = inputs.environment
    ? await check(() => checkEnvironment(loaded, io.env, inputs.allowList ?? false))
    : undefined;
  if (env) plan.env = env;

  if (inputs.smoke || (inputs.gate && loaded.config.gate.smoke)) {
    plan.suites = (await files.suiteFiles()).length;
    plan.checks = (await check(async () => (await files.suites()).reduce((n, s) => n + s.checks.length, 0))) ?? 0;
  }

  const engine = inputs.engine;
  const core = io.env.GAUNTLET_CORE !== undefined ? coreSetting(io.env.GAUNTLET_CORE) : undefined;
  if (core && 'problem' in core) problems.push(core.problem);
  const profile = async (file: string) => {
    if (isK6Script(file)) return;
    const p = await check(() => files.profile(file));
    if (!p) return;
    plan.profiles++;
    // Its SQL and Redis requests have a URL (a container beside the image under test gives one)
    // and an engine that speaks them (the statements themselves are checked live at run time).
    if (env) problems.push(...dataUrlProblems(p, withImageServers(env, promised(env)), p.file));
    // GAUNTLET_CORE=native on a profile only the JavaScript workers can run: said now, not mid-run.
    if (core && 'want' in core && core.want === 'native' && (engine === undefined || engine === 'embedded')) {
      const why = nativeRefusal({
        dataProblem: dataRefusal(
          p.requests.map((r) => ({ kind: r.kind ?? 'http', url: r.kind === 'http' ? undefined : r.url })),
        ),
        thinkTime: p.thinkTime !== undefined,
      });
      if (why) problems.push(`${p.file}: GAUNTLET_CORE=native: ${why}`);
    }
    if (hasDataRequests(p) && (engine === 'k6' || engine === 'k6-operator'))
      problems.push(
        `${p.file}: SQL and Redis requests run on the embedded engine (or --engine kubernetes), not ${engine}`,
      );
  };
  const experiment = async (file: string) => {
    const exp = await check(() => files.experiment(file));
    if (!exp) return;
    plan.experiments++;
    if (exp.load) await profile(resolve(dirname(exp.file), exp.load));
    if (exp.alerts.length && env && !env.alertmanager)
      problems.push(`${exp.file}: alerts need the environment’s alertmanager.url`);
  };

  if (inputs.gate && loaded.config.gate.load) await profile(resolve(loaded.dir, loaded.config.gate.load));
  const drill = loaded.config.drill;
  if (inputs.drill && drill) {
    for (const sc of drill.scenarios) await experiment(resolve(loaded.dir, sc.experiment));
  }
  for (const file of inputs.files ?? []) {
    const kind = await check(() => fileKind(resolve(io.cwd, file), io.cwd));
    if (kind === 'experiment') await experiment(file);
    else if (kind === 'profile') await profile(file);
  }

  if (engine !== undefined && !(ENGINES as readonly string[]).includes(engine)) problems.push(unknownEngine(engine));
  if (engine === 'k6') await check(async () => (await import('../targets/local/k6.ts')).findK6(io.env));
  if (engine === 'k6-operator' && env && !env.kubernetes)
    problems.push('--engine k6-operator: expected the environment’s kubernetes block (context, namespace)');
  if (engine === 'kubernetes' && env && !env.kubernetes?.shards)
    problems.push(
      '--engine kubernetes: expected the environment’s kubernetes block with shards.image (the Gauntlet image the shard pods run)',
    );
  return plan;
}

/** The URLs the servers beside the image under test will have, as placeholders: they exist once it starts. */
const promised = (env: Environment) => ({
  postgres: env.container?.postgres && 'postgres://(its container)',
  redis: env.container?.redis && 'redis://(its container)',
});

/** The chosen environment resolved, its TLS files read, its protocol one Gauntlet speaks, its Kubernetes context allow-listed. */
function checkEnvironment(
  loaded: LoadedConfig,
  processEnv: Record<string, string | undefined>,
  allowList: boolean,
): Environment {
  const env = resolveEnvironment(loaded, processEnv, new Redactor());
  const problems: string[] = [];
  const at = `environments.${loaded.envName}`;
  const protocol = URL.canParse(env.baseUrl) ? new URL(env.baseUrl).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:')
    problems.push(`${at}.baseUrl: expected an http:// or https:// URL, got "${env.baseUrl}"`);
  try {
    tlsOptionsOf(env);
  } catch (e) {
    problems.push(`${at}.${(e as Error).message}`);
  }
  if (env.kubernetes && allowList) {
    const refused = notAllowListed(loaded.config.kubernetes.allow, env.kubernetes.context, env.kubernetes.namespace);
    if (refused) problems.push(`${at}.kubernetes: ${refused}`);
  }
  if (problems.length) throw configError(`environment "${loaded.envName}" has ${problems.length} problem(s)`, problems);
  return env;
}

/** An experiment has a method of faults; anything else is read as a load profile. */
async function fileKind(file: string, cwd: string): Promise<'experiment' | 'profile'> {
  if (isK6Script(file)) return 'profile';
  try {
    const { data } = await readSource(file, cwd);
    return data !== null && typeof data === 'object' && 'method' in data ? 'experiment' : 'profile';
  } catch (e) {
    if (e instanceof GauntletError) throw e;
    throw configError(`${file}: cannot be read (${describeError(e)})`);
  }
}

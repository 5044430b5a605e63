// `gauntlet validate [files…]`: everything a command would touch, checked before any side effect
// and reported at once — the config, the chosen environment (its TLS files, its protocol), the
// smoke suites, the gate's load profile, the drill's experiments and their load profiles, any
// profile or experiment named on the command line, the engine asked for and its binary, and the
// Kubernetes allow-list. Nothing here sends a request or touches the target.
import { dirname, resolve } from 'node:path';
import { GauntletError, configError, describeError } from '../core/errors.ts';
import { Redactor } from '../core/redact.ts';
import { loadConfig, readSource, resolveEnvironment, type Flags, type LoadedConfig } from '../config/load.ts';
import { findSuiteFiles, loadSuites } from '../config/suites.ts';
import { loadProfile } from '../config/profiles.ts';
import type { Environment } from '../config/schema.ts';
import { parseCmp } from '../slo/chaos.ts';
import { tlsOptionsOf } from '../targets/tls.ts';
import { loadExperiment } from './chaos.ts';
import { isK6Script } from './load.ts';
import { hasDataRequests, planDataRequests } from '../run/load/data-check.ts';
import type { Io } from './session.ts';

const ENGINES = ['embedded', 'k6', 'kubernetes', 'k6-operator'];

export interface Validated {
  summary: string;
}

export async function validateApp(flags: Flags, io: Io, files: readonly string[] = []): Promise<Validated> {
  const loaded = await loadConfig({ cwd: io.cwd, flags, env: io.env });
  const problems: string[] = [];
  /** Runs one check; a config problem (or a missing tool) is collected, a bug still throws. */
  const check = async <T>(what: () => Promise<T> | T): Promise<T | undefined> => {
    try {
      return await what();
    } catch (e) {
      if (!(e instanceof GauntletError)) throw e;
      problems.push(...(e.details.length ? e.details : [e.message]));
      return undefined;
    }
  };
  const counts = { suites: 0, checks: 0, profiles: 0, experiments: 0 };

  const env = (flags.env ?? io.env.GAUNTLET_ENV) ? await check(() => checkEnvironment(loaded, io)) : undefined;

  const suiteFiles = await findSuiteFiles(loaded.dir, loaded.config.smoke);
  counts.suites = suiteFiles.length;
  counts.checks =
    (await check(async () => (await loadSuites(suiteFiles, io.cwd)).reduce((n, s) => n + s.checks.length, 0))) ?? 0;

  const thresholds = loaded.config.slos.thresholds ?? {};
  const engine = flags.engine ?? io.env.GAUNTLET_ENGINE;
  const profile = async (file: string) => {
    if (isK6Script(file)) return;
    const p = await check(() => loadProfile(file, io.cwd, thresholds));
    if (!p) return;
    counts.profiles++;
    // Its SQL and Redis requests have a URL and an engine that speaks them (checked live at run time).
    if (env) problems.push(...planDataRequests(p, env, p.file).problems);
    if (hasDataRequests(p) && (engine === 'k6' || engine === 'k6-operator'))
      problems.push(
        `${p.file}: SQL and Redis requests run on the embedded engine (or --engine kubernetes), not ${engine}`,
      );
  };
  const experiment = async (file: string) => {
    const exp = await check(() => loadExperiment(file, io.cwd));
    if (!exp) return;
    counts.experiments++;
    if (exp.load) await profile(resolve(dirname(exp.file), exp.load));
    if (exp.alerts.length && env && !env.alertmanager)
      problems.push(`${exp.file}: alerts need the environment’s alertmanager.url`);
  };

  if (loaded.config.gate.load) await profile(resolve(loaded.dir, loaded.config.gate.load));
  const drill = loaded.config.drill;
  if (drill) {
    if (!parseCmp(drill.plan.rto, 'ms'))
      problems.push(`${loaded.file} drill.plan.rto: expected a duration objective like "<2h", got "${drill.plan.rto}"`);
    if (!parseCmp(drill.plan.rpo, 'ms'))
      problems.push(`${loaded.file} drill.plan.rpo: expected a duration objective like "<1h", got "${drill.plan.rpo}"`);
    for (const sc of drill.scenarios) await experiment(resolve(loaded.dir, sc.experiment));
  }
  for (const file of files) {
    const kind = await check(() => fileKind(resolve(io.cwd, file), io.cwd));
    if (kind === 'experiment') await experiment(file);
    else if (kind === 'profile') await profile(file);
  }

  if (engine !== undefined && !ENGINES.includes(engine))
    problems.push(`--engine "${engine}": expected one of ${ENGINES.join(', ')}`);
  if (engine === 'k6') await check(async () => (await import('../run/load/k6/binary.ts')).findK6(io.env));
  if (engine === 'k6-operator' && env && !env.kubernetes)
    problems.push('--engine k6-operator: expected the environment’s kubernetes block (context, namespace)');
  if (engine === 'kubernetes' && env && !env.kubernetes?.shards)
    problems.push(
      '--engine kubernetes: expected the environment’s kubernetes block with shards.image (the Gauntlet image the shard pods run)',
    );

  if (problems.length) throw configError(`${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
  const n = (x: number, one: string, many = `${one}s`) => `${x} ${x === 1 ? one : many}`;
  return {
    summary:
      `${loaded.file}: OK — ${n(Object.keys(loaded.config.environments).length, 'environment')}${env ? ` (${loaded.envName} resolved)` : ''}, ` +
      `${n(counts.suites, 'suite file')}, ${n(counts.checks, 'check')}, ${n(counts.profiles, 'load profile')}, ${n(counts.experiments, 'experiment')}`,
  };
}

/** The chosen environment resolved, its TLS files read, its protocol one Gauntlet speaks, its Kubernetes context allow-listed. */
async function checkEnvironment(loaded: LoadedConfig, io: Io): Promise<Environment> {
  const env = resolveEnvironment(loaded, io.env, new Redactor());
  const problems: string[] = [];
  const protocol = URL.canParse(env.baseUrl) ? new URL(env.baseUrl).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:')
    problems.push(`environments.${loaded.envName}.baseUrl: expected an http:// or https:// URL, got "${env.baseUrl}"`);
  try {
    tlsOptionsOf(env);
  } catch (e) {
    problems.push(`environments.${loaded.envName}.${(e as Error).message}`);
  }
  if (env.kubernetes) {
    const allowed = loaded.config.kubernetes.allow.find((a) => a.context === env.kubernetes!.context);
    if (!allowed)
      problems.push(
        `environments.${loaded.envName}.kubernetes.context "${env.kubernetes.context}": expected a context listed in kubernetes.allow before Gauntlet may change anything there`,
      );
    else if (!allowed.namespaces.includes(env.kubernetes.namespace) && !allowed.namespaces.includes('*')) {
      problems.push(
        `environments.${loaded.envName}.kubernetes.namespace "${env.kubernetes.namespace}": expected one of the allow-listed namespaces (${allowed.namespaces.join(', ') || 'none'})`,
      );
    }
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

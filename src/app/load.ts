// `gauntlet load <profile>`: setup, the load on the chosen engine with live progress, the
// thresholds as verdicts. Also the load half of `gauntlet gate`.
import type { Profile } from '../config/profile.ts';
import { scenarioDurationMs } from '../config/profile.ts';
import { isK6Script } from '../config/profiles.ts';
import { resolveEnvironment, runInputs, type Flags } from '../config/load.ts';
import type { Environment } from '../config/schema.ts';
import { ExitCode, GauntletError, configError, describeError } from '../core/errors.ts';
import type { LoadResult, Verdict } from '../record/schema.ts';
import { embeddedEngine, runEmbedded } from '../run/load/embedded.ts';
import { kubernetesPlacement } from '../run/load/kube-shards.ts';
import { k6Engine, runK6Script } from '../run/load/k6/engine.ts';
import { runOnOperator } from '../run/load/k6/operator.ts';
import { kubeTarget } from '../targets/kube.ts';
import type { LoadEngine, PreparedRequest, Progress } from '../run/load/engine.ts';
import { fillTemplate } from '../run/smoke/context.ts';
import { checkDataRequests, planDataRequests } from '../run/load/data-check.ts';
import { hasDataRequests } from '../plan/data.ts';
import { unknownEngine } from '../plan/plan.ts';
import { runCheck } from '../run/smoke/runner.ts';
import { abortCheck, littlesLaw, thresholdVerdicts } from '../slo/thresholds.ts';
import { droppedVerdict, generatorVerdict, shardsVerdict } from '../slo/generator.ts';
import { engineVerdicts, k6ThresholdVerdicts, loadErrorVerdict, loadRanVerdict, withK6Judgement } from '../slo/load.ts';
import { progressLine } from '../report/console.ts';
import { assertReachable } from '../targets/reachable.ts';
import { tlsOptionsOf } from '../targets/tls.ts';
import { metricLine, pushGroup } from '../targets/prometheus.ts';
import { remoteWriter } from '../targets/remote-write.ts';
import { runSession, type Finished, type Io, type Session, type SessionResult } from './session.ts';

export const engines = { embedded: embeddedEngine, k6: k6Engine } satisfies Record<string, LoadEngine>;

/** The engine the flags (or GAUNTLET_ENGINE) ask for; embedded by default. */
export function engineFor(s: Session, env: Environment): LoadEngine {
  const name = s.flags.engine ?? s.io.env.GAUNTLET_ENGINE ?? 'embedded';
  if (name === 'k6-operator') return operatorEngine(s, env);
  if (name === 'kubernetes') return kubernetesEngine(s, env);
  if (!(name in engines)) throw configError(unknownEngine(name));
  return engines[name as keyof typeof engines];
}

/** The run's name for what it creates in a cluster: a DNS label. */
const kubeName = (s: Session) =>
  `gauntlet-${s.runId
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(-40)}`;

/** The embedded engine's workers as shards in pods of an Indexed Job (allow-listed context). */
function kubernetesEngine(s: Session, env: Environment): LoadEngine {
  if (!env.kubernetes?.shards)
    throw configError(
      '--engine kubernetes needs the environment’s kubernetes block (context, namespace) with shards.image: the Gauntlet image the pods run (build it from the Dockerfile and push it where the cluster pulls from)',
    );
  const kube = kubeTarget(env.kubernetes, s.config.config.kubernetes);
  const shards = env.kubernetes.shards;
  return {
    name: 'kubernetes',
    run: (profile, target, ctx) => {
      const parallelism = s.flags.parallelism ?? profile.workers ?? 2;
      if (!Number.isInteger(parallelism) || parallelism < 1)
        throw configError(`--parallelism must be a whole number ≥ 1, not ${String(parallelism)}`);
      return runEmbedded(
        profile,
        target,
        ctx,
        kubernetesPlacement({
          kube,
          parallelism,
          name: kubeName(s),
          image: shards.image,
          hostNetwork: shards.hostNetwork,
          startDelayMs: shards.startDelay,
          keep: s.flags.keep ?? false,
          say: s.say,
        }),
      );
    },
  };
}

/** k6-operator in the environment's (allow-listed) kube context. */
function operatorEngine(s: Session, env: Environment): LoadEngine {
  if (!env.kubernetes)
    throw configError('--engine k6-operator needs the environment’s kubernetes block (context, namespace)');
  const kube = kubeTarget(env.kubernetes, s.config.config.kubernetes);
  const parallelism = s.flags.parallelism ?? 2;
  if (!Number.isInteger(parallelism) || parallelism < 1)
    throw configError(`--parallelism must be a whole number ≥ 1, not ${String(s.flags.parallelism)}`);
  return {
    name: 'k6-operator',
    run: (profile, target, ctx) =>
      runOnOperator(profile, target, ctx, {
        kube,
        parallelism,
        keep: s.flags.keep ?? false,
        name: kubeName(s),
        prometheus: env.kubernetes?.k6Operator?.prometheus,
        timeoutMs:
          scenarioDurationMs(profile.scenario) +
          profile.gracefulStop +
          Number(s.io.env.GAUNTLET_K6_OPERATOR_TIMEOUT_MS ?? 300_000),
        say: s.say,
      }),
  };
}

export function loadApp(profileFile: string, flags: Flags, io: Io): Promise<Finished> {
  return runSession(
    'load',
    flags,
    io,
    async (s) => {
      const env = resolveEnvironment(s.config, s.io.env, s.redactor);
      if (isK6Script(profileFile)) return runK6ScriptApp(s, profileFile, env.baseUrl, tlsOptionsOf(env).ca);
      const profile = await s.files.profile(profileFile);
      // k6-operator's runners and Kubernetes shards reach the target from inside the cluster, not from here.
      const engineName = s.flags.engine ?? s.io.env.GAUNTLET_ENGINE;
      // A profile of SQL and Redis alone never touches the base URL.
      const http = profile.requests.some((r) => r.kind === 'http');
      if (http && engineName !== 'k6-operator' && engineName !== 'kubernetes')
        await assertReachable(env.baseUrl, tlsOptionsOf(env));
      const { load, verdicts } = await runLoad(s, env, profile);
      return { ...(load ? { load } : {}), verdicts, baseUrl: env.baseUrl } satisfies SessionResult;
    },
    { files: [profileFile] },
  );
}

/**
 * A profile's load on the chosen engine, judged. Config problems and a missing tool throw (exit 2
 * or 3, before any request); an engine that fails once started is an `error` verdict, so what
 * other stages measured stays in the record and the run fails on it.
 */
export async function runLoad(
  s: Session,
  env: Environment,
  written: Profile & { file: string; defaultThresholds?: readonly string[] },
): Promise<{ load?: LoadResult; verdicts: Verdict[] }> {
  const engine = engineFor(s, env);
  if (hasDataRequests(written) && engine.name !== 'embedded' && engine.name !== 'kubernetes')
    throw configError(
      `${written.file}: SQL and Redis requests run on the embedded engine (or --engine kubernetes); k6 needs a custom build for them (xk6-sql, xk6-redis) — run without --engine ${engine.name}`,
    );
  let prepared: Awaited<ReturnType<typeof prepareLoad>>;
  try {
    prepared = await prepareLoad(s, env, written);
  } catch (err) {
    if (!(err instanceof SetupFailed)) throw err;
    s.say(`load: ${err.message}`);
    return { verdicts: [loadErrorVerdict(`the load did not start: ${err.message}`)] };
  }
  const { profile, requests } = prepared;
  const hasAbortOnFail = Object.values(profile.thresholds).some((list) =>
    list.some((t) => typeof t !== 'string' && t.abortOnFail),
  );
  s.say(
    `load: ${profile.name} (${profile.scenario.executor}, ${(scenarioDurationMs(profile.scenario) / 1000).toFixed(0)} s) on the ${engine.name} engine against ${env.baseUrl}`,
  );
  const live = livePusher(s, env);
  const rwConfig = s.config.config.outputs.prometheusRemoteWrite;
  const rw = rwConfig
    ? remoteWriter(
        { ...s.resolveRefs(rwConfig, 'outputs.prometheusRemoteWrite'), pushIntervalMs: rwConfig.pushInterval },
        s.runId,
        s.say,
      )
    : undefined;
  const otlpConfig = s.config.config.outputs.otlp;
  // Imported only when configured: the OpenTelemetry SDK takes ~250 ms to load.
  const otlp = otlpConfig
    ? (await import('../targets/otlp.ts')).otlpWriter(
        {
          ...s.resolveRefs(otlpConfig, 'outputs.otlp'),
          pushIntervalMs: otlpConfig.pushInterval,
          metricPrefix: otlpConfig.metricPrefix,
        },
        s.runId,
        s.say,
      )
    : undefined;
  // What an abortOnFail threshold was when it stopped the run: held failed, whatever the final data say.
  let aborted: NonNullable<LoadResult['thresholdAbort']> | undefined;
  const shouldAbort = (p: Progress) => {
    const a = abortCheck(p.snapshot(), profile.thresholds, p.elapsedMs);
    if (!a) return undefined;
    aborted ??= { engine: 'gauntlet', atMs: p.elapsedMs, thresholds: a.thresholds };
    return a.reason;
  };
  let result: LoadResult;
  try {
    result = await engine.run(
      profile,
      { baseUrl: env.baseUrl, requests, tls: tlsOptionsOf(env) },
      {
        clock: s.clock,
        signal: s.signal,
        onProgress: (p) => {
          s.progress(progressLine(p));
          live?.(p);
          rw?.tick(p.snapshot);
          otlp?.tick(p.snapshot);
        },
        ...(hasAbortOnFail && (engine.name === 'embedded' || engine.name === 'kubernetes') ? { shouldAbort } : {}),
      },
    );
  } catch (err) {
    s.progress(undefined);
    if (err instanceof GauntletError || s.signal.aborted) throw err;
    s.say(`load: the ${engine.name} engine failed: ${describeError(err)}`);
    return { verdicts: [loadErrorVerdict(`the ${engine.name} engine failed: ${describeError(err)}`)] };
  }
  s.progress(undefined);
  if (rw) s.say(await rw.end(result));
  if (otlp) s.say(await otlp.end(result));
  const ll = littlesLaw(result, profile.scenario.executor === 'constant-vus' ? profile.scenario.vus : undefined);
  // What `gauntlet compare` requires of two runs: the same profile bytes and the same scenario as run.
  const profileSha256 = runInputs().find((i) => i.file === written.file)?.sha256;
  const identity = { ...(profileSha256 ? { profileSha256 } : {}), scenario: JSON.stringify(profile.scenario) };
  const load: LoadResult = {
    ...result,
    identity,
    ...(ll ? { littlesLaw: ll } : {}),
    ...(aborted && !result.thresholdAbort ? { thresholdAbort: aborted } : {}),
  };
  const defaults = written.defaultThresholds ?? [];
  const thresholds = load.k6?.bound
    ? k6ThresholdVerdicts(load, defaults)
    : withK6Judgement(thresholdVerdicts(load, profile.thresholds, { defaults }), load);
  const generator = [
    generatorVerdict(load, profile.thresholds),
    droppedVerdict(load, profile.scenario, profile.thresholds),
    shardsVerdict(load),
  ].filter((v) => v !== undefined);
  return { load, verdicts: [loadRanVerdict(load), ...engineVerdicts(load), ...generator, ...thresholds] };
}

/**
 * With pushgateway.live, each second's figures go to the Pushgateway while the load runs (one
 * group per run, replaced each second), so a dashboard can follow it. Never more than one push
 * in flight; a failing Pushgateway is said once and never stops the load.
 */
function livePusher(s: Session, env: Environment): ((p: Progress) => void) | undefined {
  const pgw = env.pushgateway;
  if (!pgw?.live) return undefined;
  let busy = false;
  let warned = false;
  return (p) => {
    if (busy) return;
    busy = true;
    const text = [
      metricLine('gauntlet_live_rps', {}, p.rps),
      metricLine('gauntlet_live_p95_seconds', {}, p.p95Ms === undefined ? Number.NaN : p.p95Ms / 1000),
      metricLine('gauntlet_live_requests_total', {}, p.requests),
      metricLine('gauntlet_live_failed_total', {}, p.failed),
      metricLine('gauntlet_live_vus', {}, p.vus),
      metricLine('gauntlet_live_elapsed_seconds', {}, p.elapsedMs / 1000),
    ].join('\n');
    pushGroup(pgw.url, `${pgw.job}_live`, { environment: s.config.envName, run_id: s.runId }, `${text}\n`, 900)
      .catch((err: unknown) => {
        if (!warned) s.say(`warning: pushgateway (live): ${(err as Error).message}; the load goes on`);
        warned = true;
      })
      .finally(() => (busy = false));
  };
}

/**
 * A team's k6 script, run as it is: its thresholds (judged by k6 — they may name the script's
 * own metrics) become verdicts; its HTTP samples fill the same result as any profile. The
 * script gets the environment's base URL as __ENV.BASE_URL unless one is set.
 */
async function runK6ScriptApp(s: Session, file: string, baseUrl: string, caPem: string): Promise<SessionResult> {
  s.say(`load: ${file} (a k6 script) on k6 against ${baseUrl}`);
  const { result } = await runK6Script(
    file,
    s.io.cwd,
    { BASE_URL: baseUrl, ...s.io.env },
    { clock: s.clock, signal: s.signal, onProgress: (p) => s.progress(progressLine(p)) },
    caPem,
  );
  s.progress(undefined);
  const verdicts = k6ThresholdVerdicts(result);
  return { load: result, verdicts: [loadRanVerdict(result), ...engineVerdicts(result), ...verdicts], baseUrl };
}

/**
 * A setup step (a login) the target refused: in a gate or an experiment it is the deploy's fault,
 * judged as an `error` verdict; elsewhere (capacity) it stops the run, exit 3.
 */
class SetupFailed extends GauntletError {
  constructor(message: string) {
    super(ExitCode.couldNotRun, message);
  }
}

/** The profile with ${env:…} resolved and its setup run: the requests ready to send. */
export async function prepareLoad(
  s: Session,
  env: Environment,
  written: Profile & { file: string },
): Promise<{ profile: Profile; requests: PreparedRequest[] }> {
  const profile = s.resolveRefs(written, written.file);
  // The data tier first: every SQL statement and Redis command has its URL and is accepted by its
  // server before the setup runs or any load starts (exit 2 naming the request).
  const data = planDataRequests(profile, env, written.file);
  const refused = data.problems.length ? data.problems : await checkDataRequests(data.requests.values());
  if (refused.length)
    throw refused.length === 1
      ? configError(refused[0]!)
      : configError(`${written.file}: ${refused.length} problems in its SQL and Redis requests`, refused);
  const vars = new Map<string, string>();
  for (const step of profile.setup ?? []) {
    const r = await runCheck(
      { ...step, kind: 'http' },
      { env, vars, redactor: s.redactor, clock: s.clock, signal: s.signal },
      { name: `${profile.name} setup` },
    );
    s.say(`  setup ${r.status === 'passed' ? '✓' : '✗'} ${step.name}${r.reason ? ` — ${r.reason}` : ''}`);
    if (r.status === 'failed') throw new SetupFailed(`load setup step "${step.name}" failed: ${r.reason ?? 'failed'}`);
  }
  const requests: PreparedRequest[] = profile.requests.map((r, i) => {
    if (r.kind === 'postgres' || r.kind === 'redis') return data.requests.get(i)!;
    const headers = fillTemplate({ ...env.headers, ...r.headers }, vars);
    let body = r.body === undefined ? undefined : fillTemplate(r.body, vars);
    if (r.json !== undefined) {
      body = JSON.stringify(fillTemplate(r.json, vars));
      headers['content-type'] ??= 'application/json';
    }
    return {
      kind: 'http',
      name: r.name,
      method: r.method,
      path: fillTemplate(r.path, vars),
      headers,
      body,
      weight: r.weight,
    };
  });
  return { profile, requests };
}

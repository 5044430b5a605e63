// A run from start to published report: the clock, the redactor, interrupts, and the rule
// that a report is written whatever happens (bad config, unreachable target, Ctrl-C).
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { startClock, type Clock } from '../core/clock.ts';
import { ExitCode, GauntletError, configError, describeError } from '../core/errors.ts';
import type { ImageUnderTest } from './container.ts';
import { interpolateEnv, type Unresolved } from '../config/interpolate.ts';
import { REDACTED, Redactor } from '../core/redact.ts';
import { loadConfig, resolveEnvironment, runInputs, type Flags, type LoadedConfig } from '../config/load.ts';
import { checkPromSlos, deliver, judgePromSlos } from './prometheus.ts';
import { planRun, type PlanInputs } from '../plan/plan.ts';
import { PlannedFiles } from '../plan/files.ts';
import { postWebhook, webhookPayload } from '../report/webhook.ts';
import {
  RECORD_VERSION,
  RunRecord,
  type CapacityResult,
  type ChaosResult,
  type DrillResult,
  type PromSlo,
  type CheckResult,
  type LoadResult,
  type Verdict,
} from '../record/schema.ts';
import { runOutcome } from '../slo/outcome.ts';
import { publish } from '../report/publish.ts';
import { VERSION } from '../version.ts';
import { earlierRecords } from '../record/history.ts';
import { TargetUnreachable } from '../targets/reachable.ts';
import { unreachableVerdict } from '../slo/target.ts';
import { keyFigures } from '../record/figures.ts';

export interface Io {
  cwd: string;
  env: Record<string, string | undefined>;
  /** A line for the console (already redacted by the session). */
  print(line: string): void;
  /** A live status line (a TTY redraws it in place; logs get one every few seconds); undefined ends it. */
  progress?(line: string | undefined): void;
  verbose: boolean;
  /** The command line's arguments, for the record's provenance. */
  argv?: readonly string[];
}

export interface Session {
  command: string;
  /** The run record's id; also tags what the run leaves in the target (the write probe's ledger rows). */
  runId: string;
  clock: Clock;
  redactor: Redactor;
  signal: AbortSignal;
  io: Io;
  config: LoadedConfig;
  /** The command's suites, profiles and experiments as the plan read and checked them. */
  files: PlannedFiles;
  flags: Flags;
  /** Prints a line through the redactor. */
  say(line: string): void;
  progress(line: string | undefined): void;
  /**
   * What the run has produced so far: stages add their results here as they finish, so a later
   * stage that throws (or an interrupt) never loses them — the record is written from it.
   */
  partial: SessionResult;
  /** `value` with ${env:NAME} resolved (values registered as secrets); every missing name is a config error. */
  resolveRefs<T>(value: T, what: string): T;
}

export interface SessionResult {
  checks?: CheckResult[];
  load?: LoadResult;
  chaos?: ChaosResult[];
  capacity?: CapacityResult;
  drill?: DrillResult;
  prometheus?: PromSlo[];
  verdicts: Verdict[];
  baseUrl?: string;
}

export interface Finished {
  record: RunRecord;
  exitCode: ExitCode;
  reportDir: string;
}

export async function runSession(
  command: string,
  flags: Flags,
  io: Io,
  body: (s: Session) => Promise<SessionResult>,
  /** What the command will run: planned (plan/plan.ts) before anything is started or sent. */
  planned?: Omit<PlanInputs, 'engine' | 'environment'>,
): Promise<Finished> {
  const clock = startClock();
  const runId = newRunId(command, clock.startedAt);
  const redactor = new Redactor();
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!abort.signal.aborted) io.print(`\n${sig} received: stopping, undoing what was changed, writing the report…`);
    abort.abort(new GauntletError(ExitCode.interrupted, `interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const say = (line: string) => io.print(redactor.redact(line));
  const progress = (line: string | undefined) => io.progress?.(line === undefined ? undefined : redactor.redact(line));

  let loaded: LoadedConfig | undefined;
  const partial: SessionResult = { verdicts: [] };
  let result: SessionResult = partial;
  const errors: string[] = [];
  let errorCode: ExitCode | undefined;
  let image: ImageUnderTest | undefined;
  try {
    loaded = await loadConfig({ cwd: io.cwd, flags, env: io.env });
    const files = new PlannedFiles(loaded, io.cwd);
    if (planned) {
      const engine = flags.engine ?? io.env.GAUNTLET_ENGINE;
      const { problems, exitCode } = await planRun(loaded, io, { ...planned, engine, environment: true }, files);
      const n = problems.length;
      if (n === 1) throw new GauntletError(exitCode, problems[0]!);
      if (n) throw new GauntletError(exitCode, `${n} problems found before the run`, problems);
    }
    const resolveRefs = <T>(value: T, what: string): T => {
      const missing: Unresolved[] = [];
      const out = interpolateEnv(value, io.env, redactor, missing, [what]);
      if (missing.length) {
        throw configError(
          `${what} needs ${missing.length} unset environment variable${missing.length === 1 ? '' : 's'}`,
          missing.map((m) => `${m.path}: \${env:${m.name}} is not set`),
        );
      }
      return out;
    };
    // Prometheus SLOs: every query checked before the first request, judged after the last.
    const promSlos = loaded.config.slos.prometheus;
    const promEnv = promSlos.length ? resolveEnvironment(loaded, io.env, redactor) : undefined;
    if (promEnv) await checkPromSlos(promEnv, promSlos);
    // A gate before the deploy: the image under test, started for the run and removed after it.
    // (Not for compare: it reads two finished records and sends nothing.)
    if (loaded.config.environments[loaded.envName]?.container && command !== 'compare') {
      const { startImageUnderTest } = await import('./container.ts');
      image = await startImageUnderTest(loaded, resolveEnvironment(loaded, io.env, redactor), {
        say,
        signal: abort.signal,
        redactor,
      });
      loaded = image.config;
    }
    const bodyStart = clock.now();
    if (image?.verdict.status === 'fail') result = { verdicts: [image.verdict] };
    else
      result = await body({
        command,
        runId,
        clock,
        redactor,
        signal: abort.signal,
        io,
        config: loaded,
        files,
        flags,
        say,
        progress,
        partial,
        resolveRefs,
      });
    if (image?.verdict.status === 'pass') {
      const lost = await image.afterRun();
      if (lost) say(`container: ${lost.observed}`);
      result.verdicts.unshift(lost ?? image.verdict);
    }
    if (promEnv && !abort.signal.aborted) {
      const p = await judgePromSlos(promEnv, promSlos, clock, bodyStart, clock.now());
      result.prometheus = p.results;
      result.verdicts.push(...p.verdicts);
    }
  } catch (err) {
    result = partial;
    // The target failed before the run (refused, DNS, a certificate the run refuses): a verdict, not an error.
    if (err instanceof TargetUnreachable) result.verdicts.push(unreachableVerdict(err.origin, err.reason));
    else if (err instanceof GauntletError) {
      errors.push(err.message, ...err.details);
      errorCode = err.exitCode;
    } else {
      errors.push(`internal error: ${describeError(err)}`);
      errorCode = ExitCode.couldNotRun;
      if (io.verbose && err instanceof Error && err.stack) say(err.stack);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await image?.stop(errors);
  }

  const aborted = abort.signal.aborted;
  if (aborted && !errors.some((e) => e.startsWith('interrupted'))) errors.push(describeError(abort.signal.reason));
  const { status, exitCode } = runOutcome(result.verdicts, { aborted, errorCode });
  const endedMs = clock.now();
  const envName = loaded?.envName ?? flags.env ?? io.env.GAUNTLET_ENV ?? '(none)';
  const inputs = runInputs();
  const root = resolve(io.cwd, flags.out ?? io.env.GAUNTLET_OUT ?? loaded?.config.reports.dir ?? 'reports');
  const trend = earlierRecords(root, (r) => r.command === command && r.environment.name === envName)
    .slice(-10)
    .map((r) => ({ runId: r.runId, startedAt: r.startedAt, status: r.status, figures: keyFigures(r) }));
  const record = RunRecord.parse(
    redactor.redactDeep({
      schemaVersion: RECORD_VERSION,
      runId,
      command,
      status,
      exitCode,
      tool: { name: 'gauntlet', version: VERSION, node: process.version },
      environment: {
        name: envName,
        baseUrl: result.baseUrl ?? loaded?.config.environments[envName]?.baseUrl ?? '',
        ...(image?.ran ? { container: image.ran } : {}),
      },
      config: {
        file: loaded?.file ?? flags.config ?? '(not loaded)',
        digest: inputs.find((i) => i.file === loaded?.file)?.sha256 ?? digest(loaded?.raw),
      },
      inputs,
      host: hostname(),
      startedAt: clock.startedAt,
      endedAt: clock.isoAt(endedMs),
      durationMs: endedMs,
      checks: result.checks ?? [],
      ...(result.load ? { load: result.load } : {}),
      ...(result.chaos ? { chaos: result.chaos } : {}),
      ...(result.capacity ? { capacity: result.capacity } : {}),
      ...(result.prometheus ? { prometheus: result.prometheus } : {}),
      ...(result.drill
        ? {
            drill: {
              ...result.drill,
              signOff: {
                ...result.drill.signOff,
                endedAt: clock.isoAt(endedMs),
                configDigest: inputs.find((i) => i.file === loaded?.file)?.sha256 ?? digest(loaded?.raw),
                inputs,
              },
            },
          }
        : {}),
      verdicts: result.verdicts,
      errors,
      ...(io.argv ? { commandLine: ['gauntlet', ...io.argv].map(shellWord).join(' ') } : {}),
      ...(trend.length ? { trend } : {}),
    }),
  );
  // The Pushgateway and Grafana hear of the run; how that went is in the record, never a verdict.
  const envForDelivery = (() => {
    try {
      return loaded ? resolveEnvironment(loaded, io.env, redactor) : undefined;
    } catch {
      return undefined;
    }
  })();
  const resolvedOutput = <T>(o: T | undefined, what: string): T | undefined => {
    if (!o) return undefined;
    const missing: Unresolved[] = [];
    const resolved = interpolateEnv(o, io.env, redactor, missing, [what]);
    return missing.length ? undefined : resolved;
  };
  const outputs = {
    remoteWrite: resolvedOutput(loaded?.config.outputs.prometheusRemoteWrite, 'outputs.prometheusRemoteWrite'),
    otlp: resolvedOutput(loaded?.config.outputs.otlp, 'outputs.otlp'),
  };
  if (envForDelivery && (envForDelivery.pushgateway || envForDelivery.grafana || outputs.remoteWrite || outputs.otlp)) {
    record.delivery = (await deliver(envForDelivery, record, outputs)).map((d) => ({
      ...d,
      detail: redactor.redact(d.detail),
    }));
    for (const d of record.delivery)
      say(d.ok ? `${d.to}: ${d.detail}` : `warning: ${d.to}: ${d.detail} (the verdict stands)`);
  }
  const published = publish(record, root, { env: io.env });
  for (const e of published.reporterErrors) say(`warning: ${e}`);
  const webhook = loaded?.config.notify.webhook;
  if (webhook && (webhook.on === 'always' || record.status !== 'passed')) {
    const missing: Unresolved[] = [];
    const url = interpolateEnv(webhook.url, io.env, redactor, missing, ['notify.webhook.url']);
    // A chat webhook's URL is its credential (the token is in the path): never shown, whole.
    redactor.add(url);
    // Never fails the run: the verdict stands whether or not the chat heard of it.
    const problem = missing.length
      ? `\${env:${missing[0]!.name}} is not set`
      : await postWebhook(url, webhookPayload(record, join(published.dir, 'index.html')), webhook.timeout);
    say(problem ? `warning: notify: no notification sent: ${problem}` : 'notify: webhook notified');
  }
  return { record, exitCode, reportDir: published.dir };
}

/**
 * A word of the command line for the record: a URL's password replaced (registered secrets are
 * redacted with the rest of the record), quoted as a POSIX shell would need to read it back.
 */
function shellWord(word: string): string {
  const w = word.replace(/(\/\/[^/:@\s]*:)[^@\s/]+@/g, `$1${REDACTED}@`);
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

function newRunId(command: string, startedAt: string): string {
  const stamp = startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${command}-${randomBytes(3).toString('hex')}`;
}

function digest(raw: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(raw ?? null, (_k, v: unknown) => (typeof v === 'function' ? '[function]' : v)))
    .digest('hex');
}

// The k6 engine: the profile becomes a k6 script (bundled by esbuild), the local k6 binary runs
// it, and its JSON output and handleSummary data become the same LoadResult the embedded engine
// produces. k6's exit 99 (thresholds failed) is a verdict, not a crash; any other exit is said
// with k6's own last error, and whatever samples were written are still reported.
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioDurationMs, type Profile } from '../../../config/profile.ts';
import { cannotRun } from '../../../core/errors.ts';
import type { LoadResult } from '../../../record/schema.ts';
import type { LoadEngine, LoadRunContext, LoadTarget } from '../engine.ts';
import { findK6 } from '../../../targets/local/k6.ts';
import { bundle } from './bundle.ts';
import {
  K6Accumulator,
  k6AbortedMetrics,
  k6ThresholdAbort,
  shapeOf,
  summaryThresholds,
  type K6RunShape,
  type K6Summary,
} from './results.ts';
import { generatedEntry, k6Plan, wrapperEntry } from './script.ts';

// The k6-side runtime bundled into each script: TypeScript in a checkout, compiled in the package.
export const RUNTIME = ['runtime.ts', 'runtime.js']
  .map((f) => join(dirname(fileURLToPath(import.meta.url)), f))
  .find((f) => existsSync(f))!;

/** k6's exit codes that are not crashes of the tool. */
const THRESHOLDS_FAILED = 99;
const EXTERNAL_ABORT = 105;

export interface K6Run {
  k6: string;
  script: string;
  env: Record<string, string>;
  cwd: string;
  /** For the result: profile name, executor, schedule. */
  shape: (startWall: number, startRun: number) => K6RunShape;
  /** Kill k6 if it runs past this (the schedule plus graceful stop plus a margin). */
  timeoutMs: number;
  /** A CA bundle (PEM) k6 must trust: Go reads it through SSL_CERT_FILE. */
  caPem?: string | undefined;
  /** The ids ("metric{tags} expr") of the thresholds with abortOnFail, when known. */
  abortOnFail?: readonly string[];
}

export interface K6Outcome {
  result: LoadResult;
  summary: K6Summary | undefined;
}

export function k6Version(k6: string): string {
  try {
    return execFileSync(k6, ['version'], { encoding: 'utf8', timeout: 10_000 }).trim().split('\n')[0]!;
  } catch {
    return 'unknown';
  }
}

/** Run a bundled script on the local k6, tail its JSON output for progress, read the summary. */
export async function runK6(run: K6Run, ctx: LoadRunContext): Promise<K6Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-k6-'));
  try {
    const scriptFile = join(dir, 'script.js');
    const outFile = join(dir, 'samples.json');
    const summaryFile = join(dir, 'summary.json');
    writeFileSync(scriptFile, run.script, { mode: 0o600 });
    writeFileSync(outFile, '');
    const caEnv: Record<string, string> = {};
    if (run.caPem) {
      caEnv.SSL_CERT_FILE = join(dir, 'ca.pem');
      writeFileSync(caEnv.SSL_CERT_FILE, run.caPem, { mode: 0o600 });
    }
    const startWall = Date.now();
    const startRun = ctx.clock.now();
    // --address: k6's REST API on a free port, so runs side by side never collide on 6565.
    const child = spawn(
      run.k6,
      [
        'run',
        '--quiet',
        '--no-color',
        '--no-usage-report',
        '--address',
        '127.0.0.1:0',
        '--log-format',
        'raw',
        '--out',
        `json=${outFile}`,
        scriptFile,
      ],
      {
        cwd: run.cwd,
        env: { ...run.env, ...caEnv, GAUNTLET_K6_SUMMARY: summaryFile, K6_NO_USAGE_REPORT: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-20_000)));
    child.stdout.on('data', (b: Buffer) => (stdout = (stdout + b.toString()).slice(-20_000)));
    const acc = new K6Accumulator(startWall);
    let offset = 0;
    const fd = openSync(outFile, 'r');
    const buf = Buffer.alloc(1 << 20);
    const drain = () => {
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, offset);
        if (n <= 0) return;
        offset += n;
        acc.feed(buf.toString('utf8', 0, n));
      }
    };
    let interrupted: string | undefined;
    const onAbort = () => {
      interrupted = 'interrupted';
      child.kill('SIGINT');
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const killTimer = setTimeout(() => {
      interrupted = `k6 ran past its ${Math.round(run.timeoutMs / 1000)} s limit and was killed`;
      child.kill('SIGKILL');
    }, run.timeoutMs);
    const shape = run.shape(startWall, startRun);
    const tick = setInterval(() => {
      drain();
      const elapsedMs = Date.now() - startWall;
      const p = acc.progress(elapsedMs);
      ctx.onProgress?.({
        elapsedMs,
        scheduledMs: shape.scheduledMs,
        ...p,
        snapshot: () => acc.result(shape, { engine: 'k6', workers: 1, durationMs: elapsedMs }),
      });
    }, 1000);
    const code = await new Promise<number | null>((res) => {
      child.on('error', (e) => {
        stderr += `\n${e.message}`;
        res(null);
      });
      child.on('exit', (c, sig) => res(c ?? (sig ? 128 : null)));
    });
    clearInterval(tick);
    clearTimeout(killTimer);
    ctx.signal.removeEventListener('abort', onAbort);
    drain();
    closeSync(fd);
    const summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as K6Summary) : undefined;
    const failure =
      code === 0 || code === THRESHOLDS_FAILED
        ? undefined
        : (interrupted ??
          `k6 exited with code ${code ?? 'unknown'}${code === EXTERNAL_ABORT ? ' (aborted)' : ''}: ${lastError(stderr, stdout)}`);
    if (failure && acc.lines === 0) throw cannotRun(failure);
    const durationMs = summary?.state?.testRunDurationMs;
    // k6 stopped the run on an abortOnFail threshold: its log names the metrics (exit 99 either way).
    const thresholdAbort =
      code === THRESHOLDS_FAILED &&
      (k6AbortedMetrics(`${stderr}\n${stdout}`) !== undefined ||
        (durationMs !== undefined && durationMs < shape.scheduledMs - 500))
        ? k6ThresholdAbort(`${stderr}\n${stdout}`, summary, durationMs ?? Date.now() - startWall, run.abortOnFail)
        : undefined;
    const result = acc.result(shape, {
      engine: 'k6',
      workers: 1,
      ...(durationMs && !failure ? { durationMs } : {}),
      stoppedEarly:
        failure ??
        (thresholdAbort
          ? `a threshold with abortOnFail failed (k6 stopped the test${thresholdAbort.thresholds.length ? `: ${thresholdAbort.thresholds.map((t) => t.id).join(', ')}` : ''})`
          : undefined),
    });
    return {
      result: {
        ...result,
        ...(thresholdAbort ? { thresholdAbort } : {}),
        k6: {
          version: k6Version(run.k6),
          exitCode: code ?? -1,
          ...(failure ? { error: failure } : {}),
          thresholds: summary ? summaryThresholds(summary) : [],
          metrics: summary
            ? Object.fromEntries(
                Object.entries(summary.metrics).map(([k, m]) => [
                  k,
                  { type: m.type, ...(m.contains ? { contains: m.contains } : {}), values: m.values },
                ]),
              )
            : {},
        },
      },
      summary,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** k6's last error line (its raw log format), without Go's noise. */
function lastError(stderr: string, stdout: string): string {
  const lines = `${stderr}\n${stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = [...lines].reverse().find((l) => /error|exception|panic|fatal/i.test(l));
  return (error ?? lines.at(-1) ?? 'no output').slice(0, 500);
}

const timeoutFor = (scheduledMs: number, gracefulMs: number) => scheduledMs + gracefulMs + 60_000;

export const k6Engine: LoadEngine & { version?: string } = {
  name: 'k6',
  preflight(env) {
    findK6(env);
  },
  async run(profile: Profile, target: LoadTarget, ctx: LoadRunContext): Promise<LoadResult> {
    const k6 = findK6(process.env);
    const { code } = await bundle(
      { contents: generatedEntry(profile, RUNTIME), resolveDir: process.cwd(), name: `${profile.name}.k6.js` },
      process.cwd(),
    );
    const { result } = await runK6(
      {
        k6,
        script: code,
        cwd: process.cwd(),
        env: {
          ...(process.env as Record<string, string>),
          GAUNTLET_K6_PLAN: JSON.stringify(k6Plan(profile, target.baseUrl, target.requests, target.tls)),
        },
        shape: (w, r) => shapeOf(profile, w, r),
        timeoutMs: timeoutFor(scenarioDurationMs(profile.scenario), profile.gracefulStop),
        caPem: target.tls?.ca,
        abortOnFail: Object.entries(profile.thresholds).flatMap(([metric, list]) =>
          list.flatMap((t) => (typeof t !== 'string' && t.abortOnFail ? [`${metric} ${t.threshold}`] : [])),
        ),
      },
      ctx,
    );
    return result;
  },
};

/** A team's own k6 script (scenarios/*.k6.ts): bundled, wrapped with Gauntlet's handleSummary, run as it is. */
export async function runK6Script(
  file: string,
  cwd: string,
  env: Record<string, string | undefined>,
  ctx: LoadRunContext & { maxDurationMs?: number },
  /** The run's trust bundle (targets/tls.ts), as the generated script gets it. */
  caPem?: string,
): Promise<K6Outcome> {
  const k6 = findK6(env);
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw cannotRun(`${file}: no such k6 script`);
  const user = await bundle({ file: path }, cwd);
  const { code } = await bundle(
    {
      contents: wrapperEntry(path, user.exports, RUNTIME),
      resolveDir: dirname(path),
      name: `gauntlet-entry-${basename(path)}.js`,
    },
    cwd,
  );
  const options = inspectOptions(k6, code, cwd, env);
  const scenarios = Object.values(options.scenarios ?? {});
  const executor =
    scenarios.length === 1
      ? String(scenarios[0]!.executor)
      : scenarios.length
        ? `${scenarios.length} scenarios`
        : 'k6 script';
  const open = scenarios.some((s) => String(s.executor).endsWith('arrival-rate'));
  // k6's totalDuration includes each scenario's graceful stop (30 s unless set): the schedule is without it.
  const graceMs = Math.max(0, ...scenarios.map((sc) => (sc.gracefulStop ? goDurationMs(sc.gracefulStop) : 30_000)));
  const scheduledMs = Math.max(0, (options.totalDurationMs ?? 0) - graceMs);
  return runK6(
    {
      k6,
      script: code,
      cwd,
      env: env as Record<string, string>,
      shape: (w, r) => ({
        profile: basename(file).replace(/\.k6\.[tj]s$/, ''),
        executor,
        model: open ? 'open' : 'closed',
        scheduledMs,
        startedAtWallMs: w,
        startedAtMs: r,
      }),
      timeoutMs: ctx.maxDurationMs ?? (options.totalDurationMs ?? 0) + 120_000,
      caPem,
    },
    ctx,
  );
}

/** `k6 inspect --execution-requirements`: the script's resolved options and its total duration. */
function inspectOptions(
  k6: string,
  code: string,
  cwd: string,
  env: Record<string, string | undefined>,
): { scenarios?: Record<string, { executor: string; gracefulStop?: string | null }>; totalDurationMs?: number } {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-k6-inspect-'));
  try {
    const file = join(dir, 'script.js');
    writeFileSync(file, code, { mode: 0o600 });
    const out = execFileSync(k6, ['inspect', '--execution-requirements', file], {
      cwd,
      env: { ...env, K6_NO_USAGE_REPORT: 'true' } as Record<string, string>,
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const parsed = JSON.parse(out) as {
      scenarios?: Record<string, { executor: string; gracefulStop?: string | null }>;
      totalDuration?: string;
      maxDuration?: string;
    };
    return {
      ...(parsed.scenarios ? { scenarios: parsed.scenarios } : {}),
      ...(parsed.totalDuration ? { totalDurationMs: goDurationMs(parsed.totalDuration) } : {}),
    };
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? '');
    throw cannotRun(`k6 cannot load the script: ${lastError(stderr, '')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "1m30.5s" → ms. */
export function goDurationMs(s: string): number {
  let ms = 0;
  for (const [, n, u] of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|µs|us|ns)/g)) {
    const v = Number(n);
    ms += u === 'h' ? v * 3_600_000 : u === 'm' ? v * 60_000 : u === 's' ? v * 1000 : u === 'ms' ? v : v / 1000;
  }
  return ms;
}

// k6's JSON output (one line per sample, `--out json`) → the LoadResult every engine produces.
// Every http_req_duration sample goes into an HDR histogram, so percentiles are exact to the
// histogram's resolution and merge across runners by adding counts — never averaged.
import type { Executor } from '../../../config/profile.ts';
import { modelOf, scenarioDurationMs } from '../../../config/profile.ts';
import { encode, newHistogram, percentileMs, summarise, type Histogram } from '../../../measure/histogram.ts';
import type { ProgressFigures } from '../../../record/progress.ts';
import type { LoadResult } from '../../../record/schema.ts';
import type { NetError } from '../http1.ts';
import { addTally, emptyTally, errorClassOf, type ErrorClass, type Tally } from '../protocol.ts';
import { finaliseSeconds, seriesOf, type Second } from '../seconds.ts';

interface Point {
  metric: string;
  type: string;
  data: { time: string; value: number; tags?: Record<string, string> | null };
}

/** What the run is, as far as the result needs to say. */
export interface K6RunShape {
  profile: string;
  executor: string;
  model: 'open' | 'closed';
  scheduledMs: number;
  /** Wall ms (epoch) the load started, to put the result on the run clock. */
  startedAtWallMs: number;
  /** Run-clock ms at that wall time. */
  startedAtMs: number;
}

export function shapeOf(
  profile: { name: string; scenario: Executor },
  startedAtWallMs: number,
  startedAtMs: number,
): K6RunShape {
  return {
    profile: profile.name,
    executor: profile.scenario.executor,
    model: modelOf(profile.scenario),
    scheduledMs: scenarioDurationMs(profile.scenario),
    startedAtWallMs,
    startedAtMs,
  };
}

/** k6's error tag (Go's error text) → the engine-neutral error classes. */
export function netErrorOf(error: string | undefined, code: string | undefined): NetError | undefined {
  if (!error && !code) return undefined;
  const e = (error ?? '').toLowerCase();
  if (code === '1050' || /timeout|deadline exceeded/.test(e)) return 'timeout';
  if (/connection refused/.test(e)) return 'refused';
  if (/reset by peer|broken pipe|eof|connection reset/.test(e)) return 'reset';
  // Go's TLS and certificate errors (k6 codes 1300–1399): the class the embedded engine gives them.
  if (/^13\d\d$/.test(code ?? '') || /x509:|tls:|certificate/.test(e)) return 'tls';
  return 'other';
}

/**
 * Fed k6's JSON lines as they are written (the engine tails the file each second, so progress
 * is live), it keeps per-name histograms and tallies and per-second series.
 */
export class K6Accumulator {
  private readonly byName = new Map<string, { tally: Tally; hist: Histogram; method: string }>();
  private readonly seconds = new Map<number, Second>();
  private readonly iterationHist = newHistogram();
  private partial = '';
  private iterations = 0;
  private dropped = 0;
  private maxVus = 0;
  private firstMs: number | undefined;
  private lastMs = 0;
  /** The first of k6's error texts per error class, as the embedded engine keeps them. */
  private readonly errorReasons: Record<string, string> = {};
  lines = 0;

  constructor(private readonly startWallMs: number) {}

  /** A chunk of the file: complete lines are parsed, a trailing partial line waits for more. */
  feed(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private second(t: number): Second {
    let s = this.seconds.get(t);
    if (!s) this.seconds.set(t, (s = { tally: emptyTally(), hist: undefined, vus: 0, dropped: 0, iterations: 0 }));
    return s;
  }

  private line(line: string): void {
    // Only the metrics the result needs are parsed; the rest are skipped on a prefix test.
    if (!line.startsWith('{"metric":"')) return;
    const name = line.slice(11, line.indexOf('"', 11));
    if (!WANTED.has(name)) return;
    const p = JSON.parse(line) as Point;
    if (p.type !== 'Point') return;
    this.lines++;
    const at = Date.parse(p.data.time);
    // Date.parse keeps ms; k6 writes ns. Enough for per-second bucketing.
    this.firstMs = Math.min(this.firstMs ?? at, at);
    this.lastMs = Math.max(this.lastMs, at);
    const t = Math.max(0, Math.floor((at - this.startWallMs) / 1000));
    const tags = p.data.tags ?? {};
    const v = p.data.value;
    switch (p.metric) {
      case 'http_req_duration': {
        const status = Number(tags.status ?? 0);
        const net = status === 0 ? (netErrorOf(tags.error, tags.error_code) ?? 'other') : undefined;
        const cls: ErrorClass | undefined = errorClassOf(status, net);
        if (net && tags.error && !this.errorReasons[net]) this.errorReasons[net] = tags.error;
        const reqName = tags.name ?? tags.url ?? 'request';
        let acc = this.byName.get(reqName);
        if (!acc)
          this.byName.set(reqName, (acc = { tally: emptyTally(), hist: newHistogram(), method: tags.method ?? 'GET' }));
        const s = this.second(t);
        for (const tally of [acc.tally, s.tally]) {
          tally.requests++;
          if (cls) {
            tally.failed++;
            tally.errors[cls] = (tally.errors[cls] ?? 0) + 1;
          }
          if (status) tally.statuses[String(status)] = (tally.statuses[String(status)] ?? 0) + 1;
        }
        // Like the embedded engine, every request is in the duration record, a failed one at the
        // time k6 gives it (k6's own http_req_duration): never simply absent.
        const us = Math.max(1, Math.round(v * 1000));
        acc.hist.recordValue(us);
        (s.hist ??= newHistogram()).recordValue(us);
        break;
      }
      case 'data_received':
      case 'data_sent': {
        const reqName = tags.name;
        const s = this.second(t);
        const key = p.metric === 'data_received' ? 'bytesIn' : 'bytesOut';
        s.tally[key] += v;
        const acc = reqName ? this.byName.get(reqName) : undefined;
        if (acc) acc.tally[key] += v;
        break;
      }
      case 'iterations':
        this.iterations += v;
        this.second(t).iterations += v;
        break;
      case 'iteration_duration':
        this.iterationHist.recordValue(Math.max(1, Math.round(v * 1000)));
        break;
      case 'dropped_iterations':
        this.dropped += v;
        this.second(t).dropped += v;
        break;
      case 'vus': {
        const s = this.second(t);
        s.vus = Math.max(s.vus, v);
        this.maxVus = Math.max(this.maxVus, v);
        break;
      }
      case 'vus_max':
        break;
    }
    // Seconds well behind the newest sample are complete.
    finaliseSeconds(this.seconds, t - 3);
  }

  get requests(): number {
    let n = 0;
    for (const a of this.byName.values()) n += a.tally.requests;
    return n;
  }

  progress(elapsedMs: number): Omit<ProgressFigures, 'elapsedMs' | 'scheduledMs'> {
    const all = newHistogram();
    let failed = 0;
    for (const a of this.byName.values()) {
      all.add(a.hist);
      failed += a.tally.failed;
    }
    const last = this.seconds.get(Math.floor(elapsedMs / 1000) - 1);
    return {
      requests: this.requests,
      failed,
      rps: last?.tally.requests ?? 0,
      p95Ms: all.totalCount ? percentileMs(all, 95) : undefined,
      vus: last?.vus ?? 0,
      dropped: this.dropped,
    };
  }

  /** The result; `durationMs` defaults to the first to the last sample, at least the schedule when it ran to the end. */
  result(
    shape: K6RunShape,
    opts: {
      engine: string;
      workers: number;
      durationMs?: number;
      stoppedEarly?: string | undefined;
      interrupted?: number;
    },
  ): LoadResult {
    if (this.partial) {
      this.line(this.partial);
      this.partial = '';
    }
    const all = newHistogram();
    const totals = emptyTally();
    const names: LoadResult['byName'] = {};
    for (const [name, acc] of this.byName) {
      all.add(acc.hist);
      addTally(totals, acc.tally);
      const latency = summarise(acc.hist);
      names[name] = {
        totals: acc.tally,
        method: acc.method,
        histogram: encode(acc.hist),
        ...(latency ? { latency } : {}),
      };
    }
    const series = seriesOf(this.seconds);
    const observed = this.firstMs === undefined ? 0 : this.lastMs - this.startWallMs;
    const durationMs = Math.max(
      1,
      opts.durationMs ?? (opts.stoppedEarly ? observed : Math.max(observed, shape.scheduledMs)),
    );
    const allLatency = summarise(all);
    const iterLatency = summarise(this.iterationHist);
    return {
      engine: opts.engine,
      profile: shape.profile,
      executor: shape.executor,
      model: shape.model,
      workers: opts.workers,
      startedAtMs: shape.startedAtMs,
      durationMs,
      scheduledMs: shape.scheduledMs,
      totals: {
        ...totals,
        errors: totals.errors as Record<string, number>,
        iterations: this.iterations,
        droppedIterations: this.dropped,
        interruptedIterations: opts.interrupted ?? 0,
        maxVus: this.maxVus,
      },
      all: { histogram: encode(all), ...(allLatency ? { latency: allLatency } : {}) },
      byName: names,
      iterationDuration: { histogram: encode(this.iterationHist), ...(iterLatency ? { latency: iterLatency } : {}) },
      series,
      ...(Object.keys(this.errorReasons).length ? { errorReasons: { ...this.errorReasons } } : {}),
      ...(opts.stoppedEarly ? { stoppedEarly: opts.stoppedEarly } : {}),
    };
  }
}

const WANTED = new Set([
  'http_req_duration',
  'data_received',
  'data_sent',
  'iterations',
  'iteration_duration',
  'dropped_iterations',
  'vus',
]);

/** k6's end-of-test data, as handleSummary receives it (the parts Gauntlet reads). */
export interface K6Summary {
  state?: { testRunDurationMs?: number };
  metrics: Record<
    string,
    { type: string; contains?: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }
  >;
}

/** Its thresholds, each with k6's own judgement (`ok`; in --summary-export `true` would mean failed). */
export function summaryThresholds(s: K6Summary): { metric: string; expr: string; ok: boolean; observed?: string }[] {
  const out: { metric: string; expr: string; ok: boolean; observed?: string }[] = [];
  for (const [metric, m] of Object.entries(s.metrics)) {
    for (const [expr, t] of Object.entries(m.thresholds ?? {})) {
      const agg = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)/.exec(expr)?.[1];
      const v = agg === undefined ? undefined : m.values[agg];
      out.push({
        metric,
        expr,
        ok: t.ok,
        ...(v === undefined ? {} : { observed: `${agg}=${formatValue(v, m.contains)}` }),
      });
    }
  }
  return out;
}

export function formatValue(v: number, contains: string | undefined): string {
  if (contains === 'time') return `${v >= 100 ? v.toFixed(0) : v.toFixed(2)} ms`;
  if (contains === 'data') return `${Math.round(v)} B`;
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(4);
}

/** k6's log line when a threshold with abortOnFail stopped the run: the metrics it names, or undefined. */
export function k6AbortedMetrics(log: string): string[] | undefined {
  const m =
    /thresholds on metrics (.+?) (?:were|have been) (?:crossed|breached); at least one has abortOnFail enabled, stopping test prematurely/.exec(
      log,
    );
  if (!m) return undefined;
  return [...m[1]!.matchAll(/'([^']+)'/g)].map((x) => x[1]!);
}

const bare = (s: string) => s.replace(/\s+/g, '');

/**
 * k6 stopped the run on a threshold (exit 99 and its log says so, or exit 99 well before the
 * schedule's end): which thresholds, with k6's own value for each. The thresholds are those of the
 * metrics k6's log names that its summary judged failed (only those with abortOnFail, when the
 * caller knows which have it); none named when k6 said nothing about which.
 */
export function k6ThresholdAbort(
  log: string,
  summary: K6Summary | undefined,
  atMs: number,
  abortOnFail?: readonly string[],
): NonNullable<LoadResult['thresholdAbort']> {
  const metrics = (k6AbortedMetrics(log) ?? []).map(bare);
  const thresholds: NonNullable<LoadResult['thresholdAbort']>['thresholds'] = [];
  for (const [metric, m] of Object.entries(summary?.metrics ?? {})) {
    if (!metrics.includes(bare(metric))) continue;
    for (const [expr, t] of Object.entries(m.thresholds ?? {})) {
      const id = `${metric} ${expr}`;
      if (t.ok || (abortOnFail && !abortOnFail.some((a) => bare(a) === bare(id)))) continue;
      const agg = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)/.exec(expr)?.[1];
      const value = agg === undefined ? undefined : m.values[agg];
      thresholds.push({
        id,
        ...(value === undefined ? {} : { value, observed: `${agg}=${formatValue(value, m.contains)}` }),
      });
    }
  }
  return { engine: 'k6', atMs, thresholds };
}

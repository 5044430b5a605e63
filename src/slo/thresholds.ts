// Pure: a load result × the profile's thresholds → verdicts, k6's semantics. A metric with no
// samples is no-data, never a pass. Histograms are merged for tag filters, never averaged.
import type { Threshold } from '../config/profile.ts';
import { decode, newHistogram } from '../measure/histogram.ts';
import type { LoadResult, Verdict, VerdictUnit } from '../record/schema.ts';
import { failed, measured, noData } from './verdict.ts';
import {
  BUILTIN_METRICS,
  compare,
  kindOfMetric,
  windowMs,
  type ThresholdExpr,
  parseExpr,
  parseSelector,
  type MetricSelector,
} from '../config/threshold.ts';

/** What a request's kind is, in a record: absent means HTTP (records before the data tier). */
const kindIn = (b: LoadResult['byName'][string]) => b.kind ?? 'http';

type Observation =
  | {
      value: number;
      shown: string;
      /** How many samples the value rests on, and what they are. */
      samples: number;
      from: string;
      window?: { fromS: number; toS: number };
    }
  | undefined;

function selected(result: LoadResult, sel: MetricSelector): LoadResult['byName'][string][] {
  return selectedEntries(result, sel).map(([, b]) => b);
}

function selectedEntries(result: LoadResult, sel: MetricSelector): [string, LoadResult['byName'][string]][] {
  const kind = kindOfMetric(sel.metric);
  return Object.entries(result.byName).filter(
    ([name, b]) =>
      (kind === undefined || kindIn(b) === kind) &&
      (sel.tags.name === undefined || sel.tags.name === name) &&
      (sel.tags.method === undefined || sel.tags.method === b.method),
  );
}

/** A *_failed metric's samples: the failed requests among the selected ones. */
export function failures(result: LoadResult, sel: MetricSelector): { failed: number; total: number } {
  const parts = selected(result, sel);
  return {
    failed: parts.reduce((n, b) => n + b.totals.failed, 0),
    total: parts.reduce((n, b) => n + b.totals.requests, 0),
  };
}

/** The value of an aggregation on one window's samples, from the per-second data. */
function windowValue(
  result: LoadResult,
  names: readonly string[],
  metric: string,
  aggregation: string,
  from: number,
  to: number,
): number | undefined {
  const seconds = to - from;
  if (metric === 'dropped_iterations') {
    const n = result.series.filter((s) => s.t >= from && s.t < to).reduce((k, s) => k + s.dropped, 0);
    return aggregation === 'count' ? n : n / seconds;
  }
  const rows = names.flatMap((n) => (result.perSecond?.[n] ?? []).filter(([t]) => t >= from && t < to));
  const requests = rows.reduce((k, r) => k + r[1], 0);
  const type = BUILTIN_METRICS[metric];
  if (type === 'counter') return aggregation === 'count' ? requests : requests / seconds;
  if (requests === 0) return undefined;
  if (type === 'rate') return rows.reduce((k, r) => k + r[2], 0) / requests;
  const h = newHistogram();
  for (const r of rows) if (r[3]) h.add(decode(r[3]));
  if (h.totalCount === 0) return undefined;
  return trendValue(h, aggregation);
}

/** The whole seconds a windowed threshold may judge: those inside both the schedule and the measured run. */
export function wholeSeconds(result: LoadResult): number {
  return Math.floor(Math.min(result.scheduledMs, result.durationMs) / 1000);
}

/**
 * A windowed threshold: every whole window of its length, sliding a second at a time over the
 * load's schedule (the whole schedule when it is shorter), judged like the run; the observation is
 * the worst window's. Only whole seconds inside the schedule and the measured run are windowed:
 * the seconds after the schedule hold only the stragglers of its last requests, and the last
 * second of a run stopped early is cut short — a window over either is a partial window, whose
 * count or rate is low because the second is short (a throughput floor's false fail) and whose
 * ratio rests on the few requests the stop cut off (a ceiling's false fail). That goes for
 * ceilings too: every request is still in the run-wide figures, which the run-wide thresholds
 * (the default failure rate among them) judge.
 */
function observeWindowed(result: LoadResult, sel: MetricSelector, expr: ThresholdExpr, ms: number): Observation {
  if (!result.perSecond) return undefined;
  const names = selectedEntries(result, sel).map(([n]) => n);
  const span = wholeSeconds(result);
  if (span < 1) return undefined;
  const w = Math.min(ms / 1000, span);
  let worst: { value: number; from: number; bad: boolean; samples: number } | undefined;
  for (let end = w; end <= span; end++) {
    const value = windowValue(result, names, sel.metric, expr.aggregation, end - w, end);
    if (value === undefined) continue;
    const samples = windowSamples(result, names, sel.metric, end - w, end);
    const bad = !compare(value, expr);
    // Of windows equally bad, the one with samples behind it speaks: an empty window ties on its
    // value (a count of 0) and would turn the verdict into no-data, which one more sample elsewhere
    // could then turn into a pass.
    const tie = value === worst?.value && samples > 0 && worst.samples === 0;
    const worse =
      !worst ||
      (bad && !worst.bad) ||
      (bad === worst.bad &&
        (tie ||
          (expr.op.startsWith('<') ? value > worst.value : expr.op.startsWith('>') ? value < worst.value : false)));
    if (worse) worst = { value, from: end - w, bad, samples };
  }
  if (!worst) return undefined;
  const unit = BUILTIN_METRICS[sel.metric] === 'trend' ? ' ms' : '';
  const shown =
    BUILTIN_METRICS[sel.metric] === 'rate' ? `${(worst.value * 100).toFixed(2)}%` : `${round(worst.value)}${unit}`;
  return {
    value: worst.value,
    shown: `${expr.aggregation}=${shown} in the worst ${w} s window, +${worst.from}–${worst.from + w} s`,
    samples: worst.samples,
    from: `${sel.text} in the ${w} s window +${worst.from}–${worst.from + w} s`,
    window: { fromS: worst.from, toS: worst.from + w },
  };
}

function trendValue(h: ReturnType<typeof newHistogram>, aggregation: string): number {
  const ms = (us: number) => us / 1000;
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(aggregation);
  return p
    ? ms(h.getValueAtPercentile(Number(p[1])))
    : aggregation === 'avg'
      ? ms(h.mean)
      : aggregation === 'min'
        ? ms(h.minNonZeroValue)
        : aggregation === 'max'
          ? ms(h.maxValue)
          : ms(h.getValueAtPercentile(50));
}

/** How many samples a window holds: requests of the selected names, or scheduled arrivals for drops. */
function windowSamples(result: LoadResult, names: readonly string[], metric: string, from: number, to: number): number {
  const inWindow = <T extends { t: number }>(s: T) => s.t >= from && s.t < to;
  if (metric === 'dropped_iterations')
    return result.series.filter(inWindow).reduce((k, s) => k + s.dropped + s.requests, 0);
  return names
    .flatMap((n) => (result.perSecond?.[n] ?? []).filter(([t]) => t >= from && t < to))
    .reduce((k, r) => k + r[1], 0);
}

function unitOf(metric: string, aggregation: string): VerdictUnit {
  const type = BUILTIN_METRICS[metric];
  if (type === 'trend') return 'ms';
  if (type === 'rate') return 'ratio';
  return aggregation === 'count' ? 'count' : 'req/s';
}

/** The value an aggregation takes on the selected metric, or undefined when there are no samples. */
export function observe(result: LoadResult, sel: MetricSelector, aggregation: string): Observation {
  const seconds = result.durationMs / 1000;
  const counter = (count: number, samples: number, from: string): Observation =>
    aggregation === 'count'
      ? { value: count, shown: `count=${count}`, samples, from }
      : { value: count / seconds, shown: `rate=${(count / seconds).toFixed(2)}/s`, samples, from };
  switch (sel.metric) {
    case 'http_req_duration':
    case 'db_query_duration':
    case 'redis_cmd_duration':
    case 'iteration_duration': {
      const h = newHistogram();
      if (sel.metric === 'iteration_duration') h.add(decode(result.iterationDuration.histogram));
      else for (const b of selected(result, sel)) h.add(decode(b.histogram));
      if (h.totalCount === 0) return undefined;
      const value = trendValue(h, aggregation);
      return {
        value,
        shown: `${aggregation}=${round(value)} ms`,
        samples: h.totalCount,
        from: `HDR histogram of ${h.totalCount} ${sel.metric === 'iteration_duration' ? 'iterations' : 'requests'}`,
      };
    }
    case 'http_req_failed':
    case 'db_query_failed':
    case 'redis_cmd_failed': {
      const { failed, total } = failures(result, sel);
      if (total === 0) return undefined;
      const rate = failed / total;
      return {
        value: rate,
        shown: `rate=${(rate * 100).toFixed(2)}% (${failed}/${total})`,
        samples: total,
        from: `${total} requests`,
      };
    }
    case 'http_reqs':
    case 'db_queries':
    case 'redis_cmds': {
      const n = selected(result, sel).reduce((k, b) => k + b.totals.requests, 0);
      return counter(n, n, `${n} requests over ${seconds} s`);
    }
    case 'iterations':
      return counter(result.totals.iterations, result.totals.iterations, `${result.totals.iterations} iterations`);
    case 'dropped_iterations': {
      const offered = result.totals.requests + result.totals.droppedIterations;
      return counter(result.totals.droppedIterations, offered, `${offered} scheduled arrivals`);
    }
    default:
      return undefined;
  }
}

const round = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3));

/** Thresholds Gauntlet applied, not the user (the default failure rate): by selector, as written. */
export interface Judging {
  defaults?: readonly string[];
}

const sameId = (a: string, b: string) => a.replace(/\s+/g, '') === b.replace(/\s+/g, '');

export function thresholdVerdicts(
  result: LoadResult,
  thresholds: Record<string, readonly Threshold[]>,
  judging: Judging = {},
): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const [selText, list] of Object.entries(thresholds)) {
    const sel = parseSelector(selText);
    if (typeof sel === 'string') continue; // validated before the run
    const byDefault = judging.defaults?.includes(selText) ?? false;
    for (const t of list) {
      const expr = parseExpr(typeof t === 'string' ? t : t.threshold);
      if (typeof expr === 'string') continue;
      const id = `${sel.text} ${expr.text}`;
      const ms = windowMs(sel);
      const obs = ms ? observeWindowed(result, sel, expr, ms) : observe(result, sel, expr.aggregation);
      const head = { id, kind: 'threshold', objective: expr.text, ...(byDefault ? { byDefault } : {}) } as const;
      const told = byDefault ? defaultNote(sel.metric) : undefined;
      const held = result.thresholdAbort?.thresholds.find((a) => sameId(a.id, id));
      if (held) {
        verdicts.push(abortedVerdict(result, head, held, obs, unitOf(sel.metric, expr.aggregation), expr));
        continue;
      }
      if (!obs) {
        verdicts.push(
          noData(
            head,
            `no samples of ${sel.text}${
              !ms
                ? ''
                : !result.perSecond
                  ? ' (this engine keeps no per-second data per request to window)'
                  : wholeSeconds(result) < 1
                    ? ' in a whole second of the schedule (the load ran less than one)'
                    : ' in a whole window of the schedule'
            }`,
          ),
        );
        continue;
      }
      verdicts.push(
        measured(head, {
          value: obs.value,
          unit: unitOf(sel.metric, expr.aggregation),
          bound: { op: expr.op, value: expr.value },
          evidence: { samples: obs.samples, coveredMs: result.durationMs, from: obs.from },
          observed: obs.shown,
          window: obs.window,
          ...(told ? { detail: told } : {}),
        }),
      );
    }
  }
  return verdicts;
}

const defaultNote = (metric: string) =>
  `a default: the profile sets no ${metric} threshold, so a load fails when 1 % or more of its requests fail; write your own (e.g. ${metric}: ['rate<0.05']) to change it`;

/**
 * A threshold whose abortOnFail stopped the run: failed, with its value when it stopped the run —
 * the final data (a recovered target, requests cut off at the stop) cannot undo it, and the rest
 * of the schedule never ran.
 */
function abortedVerdict(
  result: LoadResult,
  head: { id: string; kind: 'threshold'; objective: string; byDefault?: boolean },
  held: NonNullable<LoadResult['thresholdAbort']>['thresholds'][number],
  final: Observation,
  unit: VerdictUnit,
  expr: ThresholdExpr,
): Verdict {
  const abort = result.thresholdAbort!;
  const when = `when abortOnFail stopped the run at +${(abort.atMs / 1000).toFixed(1)} s of ${(result.scheduledMs / 1000).toFixed(0)} s scheduled`;
  const observed = `${held.observed ?? final?.shown ?? 'failing'} ${when}${abort.engine === 'k6' ? ' (k6’s judgement)' : ''}`;
  const detail = `held failed: the rest of the schedule never ran${final ? `; on the final data ${final.shown}` : ''}`;
  const evidence = final
    ? { samples: final.samples, coveredMs: result.durationMs, from: final.from }
    : { samples: result.totals.requests, coveredMs: result.durationMs, from: `${result.totals.requests} requests` };
  if (held.value !== undefined) {
    const v = measured(head, {
      value: held.value,
      unit,
      bound: { op: expr.op, value: expr.value },
      evidence,
      observed,
      detail,
    });
    if (v.status === 'fail') return v;
  }
  return failed(head, { evidence, observed, detail });
}

/** abortOnFail thresholds failing now, past their delay: what stops the run, or undefined. */
export function abortCheck(
  result: LoadResult,
  thresholds: Record<string, readonly Threshold[]>,
  elapsedMs: number,
): { reason: string; thresholds: { id: string; value?: number; observed?: string }[] } | undefined {
  const held: { id: string; value?: number; observed?: string }[] = [];
  for (const [selText, list] of Object.entries(thresholds)) {
    for (const t of list) {
      if (typeof t === 'string' || !t.abortOnFail || elapsedMs < t.delayAbortEval) continue;
      const [v] = thresholdVerdicts(result, { [selText]: [t.threshold] });
      if (v?.status === 'fail')
        held.push({
          id: v.id,
          ...(v.measured ? { value: v.measured.value } : {}),
          ...(v.observed ? { observed: v.observed } : {}),
        });
    }
  }
  if (!held.length) return undefined;
  const [first] = held;
  return {
    reason: `threshold ${first!.id} failed (${first!.observed}) with abortOnFail`,
    thresholds: held,
  };
}

/** abortOnFail thresholds failing now, past their delay: the reason to stop, or undefined. */
export function abortReason(
  result: LoadResult,
  thresholds: Record<string, readonly Threshold[]>,
  elapsedMs: number,
): string | undefined {
  return abortCheck(result, thresholds, elapsedMs)?.reason;
}

/** Little's law on a closed-model run: throughput × mean time per iteration ≈ VUs. */
export function littlesLaw(result: LoadResult, vus: number | undefined, tolerance = 0.15): LoadResult['littlesLaw'] {
  const iter = result.iterationDuration.latency;
  if (result.model !== 'closed' || vus === undefined || !iter || result.durationMs <= 0) return undefined;
  const throughput = result.totals.iterations / (result.durationMs / 1000);
  const observed = (throughput * iter.meanMs) / 1000;
  const ratio = observed / vus;
  return { concurrency: vus, observed, ratio, ok: Math.abs(1 - ratio) <= tolerance };
}

// Pure: was the load the profile asked for really offered? Two verdicts for open-model runs.
// - generator: each arrival's send lag (actual − intended send time). Latency is timed from the
//   intended time, so lag is charged to the target; it is judged against a bound that keeps it
//   from flipping a latency threshold. Never from CPU gauges: a busy event loop that sends on
//   time is a healthy generator.
// - dropped arrivals: an arrival that found no free connection was never sent, and it is exactly
//   the request a stalled target would have answered slowly. It fails unless the profile allows
//   some with its own dropped_iterations threshold.
import { maxVUsOf, peakRatePerSecond, type Executor, type Threshold } from '../config/profile.ts';
import type { LoadResult, Verdict } from '../record/schema.ts';
import { decided, failed, noData } from './verdict.ts';
import { BUILTIN_METRICS, compare, parseExpr, parseSelector } from '../config/threshold.ts';
import { observe } from './thresholds.ts';

/** Without a latency threshold, the lag a report's percentiles tolerate. */
export const DEFAULT_LAG_BOUND_MS = 10;
/** Timer resolution and GC pauses make sub-2 ms bounds judge the runtime, not the generator. */
export const MIN_LAG_BOUND_MS = 2;
/** The share of the tightest latency threshold the lag's p99 may take. */
export const LAG_SHARE_OF_THRESHOLD = 0.1;

/** The latency metrics: each is timed from the intended send in the open model, so lag adds to it. */
const isLatency = (metric: string) => BUILTIN_METRICS[metric] === 'trend';

/** A threshold's upper limits on a latency metric (p(x), avg, med or max with < or <=), parsed. */
function latencyLimits(thresholds: Record<string, readonly Threshold[]>) {
  return Object.entries(thresholds).flatMap(([selText, list]) => {
    const sel = parseSelector(selText);
    if (typeof sel === 'string' || !isLatency(sel.metric)) return [];
    return list.flatMap((t) => {
      const e = parseExpr(typeof t === 'string' ? t : t.threshold);
      return typeof e === 'string' || (e.op !== '<' && e.op !== '<=') ? [] : [{ sel, e }];
    });
  });
}

/**
 * The bound on the lag's p99: a tenth of the tightest upper limit on any latency metric —
 * http_req_duration, db_query_duration, redis_cmd_duration, iteration_duration — (p(x), avg, med
 * or max with < or <=), at least 2 ms; 10 ms when there is none. Why a tenth: 99 % of
 * sends are then late by at most that, so a latency percentile up to p(99) is inflated by at most
 * 10 % of its limit — the generator cannot turn a pass with a 10 % margin into a fail.
 */
export function lagBoundMs(thresholds: Record<string, readonly Threshold[]>): number {
  let tightest = Number.POSITIVE_INFINITY;
  for (const { e } of latencyLimits(thresholds)) if (e.aggregation !== 'min') tightest = Math.min(tightest, e.value);
  if (!Number.isFinite(tightest)) return DEFAULT_LAG_BOUND_MS;
  return Math.max(MIN_LAG_BOUND_MS, tightest * LAG_SHARE_OF_THRESHOLD);
}

/**
 * Latency thresholds that fail as measured but would pass were the lag taken off: the verdicts
 * the generator, not the target, may have decided. Lag only adds to latency timed from the
 * intended send, so it can turn a pass into a fail, never a fail into a pass.
 */
function flippable(load: LoadResult, thresholds: Record<string, readonly Threshold[]>, lagMs: number): string[] {
  const out: string[] = [];
  for (const { sel, e } of latencyLimits(thresholds)) {
    const obs = observe(load, sel, e.aggregation);
    if (obs && !compare(obs.value, e) && compare(Math.max(0, obs.value - lagMs), e))
      out.push(`${sel.text} ${e.text} (${obs.shown})`);
  }
  return out;
}

const hasLatencyLimit = (thresholds: Record<string, readonly Threshold[]>) => latencyLimits(thresholds).length > 0;

/**
 * The generator fell behind its schedule in a way that matters (open model only): its send lag's
 * p(99) passed the bound, and either a latency verdict could be its doing, or there is no latency
 * threshold to say otherwise (the report's percentiles carry the lag).
 */
export function generatorSaturated(load: LoadResult, thresholds: Record<string, readonly Threshold[]>): boolean {
  return generatorVerdict(load, thresholds)?.status === 'fail';
}

/** The bound the generator verdict holds the lag's p99 to on this run: the schedule's own when arrivals were dropped. */
export function generatorLagBoundMs(load: LoadResult, thresholds: Record<string, readonly Threshold[]>): number {
  const latency = lagBoundMs(thresholds);
  return load.totals.droppedIterations > 0 ? Math.min(latency, DEFAULT_LAG_BOUND_MS) : latency;
}

export function generatorVerdict(
  load: LoadResult,
  thresholds: Record<string, readonly Threshold[]>,
): Verdict | undefined {
  if (load.model !== 'open' || !load.generator?.lag) return undefined;
  // With arrivals dropped, whose drops they were is the question, and the schedule's own bound
  // answers it (the default lag bound), whatever latency allowance the thresholds leave: a loop
  // tens of ms behind at the moment it drops is not keeping its schedule.
  const dropped = load.totals.droppedIterations;
  const bound = generatorLagBoundMs(load, thresholds);
  const base = {
    id: 'generator',
    kind: 'generator',
    objective:
      dropped > 0
        ? `arrivals sent or dropped on schedule (send lag p(99) ≤ ${fmt(bound)} ms)`
        : `arrivals sent on schedule (send lag p(99) ≤ ${fmt(bound)} ms, or too small to decide a latency verdict)`,
  } as const;
  const lag = load.generator.lag.latency;
  if (!lag) return noData(base, 'no arrival was sent');
  const evidence = { samples: lag.count, coveredMs: load.durationMs, from: 'the send lag of every arrival' };
  const observed = `send lag p(99) ${fmt(lag.p99Ms)} ms, max ${fmt(lag.maxMs)} ms over ${lag.count} arrivals`;
  // Judged on the lag alone, never on CPU: a busy worker that sends on time is a healthy generator.
  // The lag covers dropped arrivals too — how late the loop got to each — so drops made on time
  // (no free connection: the target's) keep it low, and drops made by a loop behind raise it.
  if (lag.p99Ms <= bound) return decided(base, true, evidence, { observed });
  const turning = flippable(load, thresholds, lag.p99Ms);
  if (hasLatencyLimit(thresholds) && turning.length === 0 && dropped === 0) {
    return decided(base, true, evidence, {
      observed,
      detail: `above ${fmt(bound)} ms, but no latency verdict turns on it: each would be the same with the lag taken off`,
    });
  }
  return failed(base, {
    evidence,
    observed,
    detail:
      'the generator, not the target, fell behind' +
      (turning.length
        ? `: ${turning.join(', ')} would pass without the lag`
        : dropped > 0
          ? `: ${dropped} arrivals were dropped by a loop behind its schedule`
          : ': latency timed from the intended send includes this lag') +
      ' — add workers, or generate from more cores or machines',
  });
}

/**
 * Dropped arrivals fail unless the profile has its own dropped_iterations threshold (which then
 * judges them). The message says how many connections the rate needed by Little's law — the peak
 * rate × the slowest response seen — and what maxVUs to set.
 */
export function droppedVerdict(
  load: LoadResult,
  scenario: Executor,
  thresholds: Record<string, readonly Threshold[]>,
): Verdict | undefined {
  if (load.model !== 'open') return undefined;
  if (Object.keys(thresholds).some((k) => (parseSelector(k) as { metric?: string }).metric === 'dropped_iterations'))
    return undefined;
  const base = {
    id: 'dropped_iterations',
    kind: 'dropped',
    objective: 'every scheduled arrival was sent (dropped_iterations == 0)',
  } as const;
  const dropped = load.totals.droppedIterations;
  const offered = load.totals.requests + dropped;
  if (offered === 0) return noData(base, 'no arrival was scheduled');
  const evidence = { samples: offered, coveredMs: load.durationMs, from: 'every scheduled arrival' };
  if (dropped === 0) return decided(base, true, evidence, { observed: `0 of ${offered} dropped` });
  const limit = load.generator?.connectionLimit ?? maxVUsOf(scenario);
  const rate = peakRatePerSecond(scenario);
  const slowestS = (load.all.latency?.maxMs ?? 0) / 1000;
  const needed = Math.ceil(rate * slowestS);
  const advice = Math.max(limit * 2, roundUp(needed * 1.25));
  return failed(base, {
    evidence,
    observed: `${dropped} of ${offered} arrivals dropped (${((dropped / offered) * 100).toFixed(1)}%): no free connection`,
    detail:
      `at ${fmt(rate)} req/s with responses taking up to ${fmt(slowestS)} s, Little's law needs ≈ ${needed} connections open at once; ` +
      `the generator had ${limit} (maxVUs) — set scenario.maxVUs: ${advice}, or allow drops with a dropped_iterations threshold. ` +
      'The latency figures leave out the dropped arrivals, which a stalled target would have answered slowly.',
  });
}

function roundUp(n: number): number {
  const step = n >= 1000 ? 100 : n >= 100 ? 10 : 1;
  return Math.ceil(n / step) * step;
}

const fmt = (v: number) =>
  v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2).replace(/\.?0+$/, '') : v.toFixed(3).replace(/\.?0+$/, '');

/** A shard ready this long after the common start instant ran its share late. */
const LATE_START_MS = 1000;

/** A distributed run is judged only on a whole merge: every shard must have started on time and reported to its end. */
export function shardsVerdict(load: LoadResult): Verdict | undefined {
  if (!load.shards) return undefined;
  const base = {
    id: 'shards',
    kind: 'shards',
    objective: 'every shard reported to the end of its schedule',
  } as const;
  const n = load.shards.length;
  if (n === 0) return noData(base, 'no shard ran');
  const evidence = { samples: n, from: `${n} shard${n === 1 ? '' : 's'}' reports` };
  const bad = load.shards.filter((s) => s.status !== 'done');
  const late = load.shards.filter((s) => (s.startSkewMs ?? 0) > LATE_START_MS);
  if (!bad.length && late.length)
    return failed(base, {
      evidence,
      observed: `${n} of ${n} shards reported, but ${late.length} started late: ${late.map((s) => `shard ${s.index} by ${fmt((s.startSkewMs ?? 0) / 1000)} s`).join(', ')}`,
      detail:
        'a shard ready only after the common start instant runs its share of the schedule late (its arrivals lag or drop): raise the environment’s kubernetes.shards.startDelay above the time its pods take to start',
    });
  if (!bad.length) return decided(base, true, evidence, { observed: `${n} of ${n} shards` });
  return failed(base, {
    evidence,
    observed: `${bad.length} of ${n} shards lost: ${bad.map((s) => `shard ${s.index}${s.where ? ` (${s.where})` : ''} after ${s.requests} requests — ${s.lost ?? 'it never reported its end'}`).join('; ')}`,
    detail: 'the merged figures hold only what the lost shards had sent: part of the schedule never ran',
  });
}

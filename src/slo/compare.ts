// Pure: two run records → per-metric deltas and regressions, and verdicts that changed.
// A metric only one run has is shown, never judged.
import type { RunRecord, Verdict } from '../record/schema.ts';

export interface CompareLimits {
  latencyIncrease: number;
  /** A latency change smaller than this is never a regression, whatever its share (ms). */
  latencyFloorMs?: number;
  errorRateIncrease: number;
  throughputDrop: number;
  rtoIncrease: number;
}

export interface Delta {
  metric: string;
  base: number | undefined;
  next: number | undefined;
  unit: 'ms' | '%' | 'req/s' | 'writes';
  /** The limit in words, e.g. "+10% at most". */
  limit: string;
  regression: boolean;
}

type Judge = (
  base: number,
  next: number,
  l: CompareLimits,
  series?: { base: number[]; next: number[] },
) => { limit: string; regression: boolean };
type Metric = {
  metric: string;
  unit: Delta['unit'];
  get: (r: RunRecord) => number | undefined;
  series?: (r: RunRecord) => number[];
  judge: Judge;
};

/** Seconds a run needs before its per-second series can say what is noise. */
const MIN_SECONDS = 3;
/** How many standard errors the shift of the per-second medians must exceed (one-sided ≈ 0.13 %). */
const Z = 3;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, z) => a - z);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Standard error of a sample median, from the median absolute deviation (robust to spikes). */
function medianStandardError(xs: readonly number[]): number {
  const m = median(xs);
  const sigma = 1.4826 * median(xs.map((x) => Math.abs(x - m)));
  return (1.2533 * sigma) / Math.sqrt(xs.length);
}

/**
 * Whole-run p99s of identical runs move by 2–3× on a shared machine: one noisy second sets them.
 * So when both runs have at least 3 seconds, a latency regression is judged on the per-second
 * percentiles: their median must grow past the relative limit, past an absolute floor (a 2 ms
 * service moving 0.3 ms is no news), and past 3 standard errors of the difference of medians
 * (each estimated from its run's median absolute deviation) — a shift of the body, not a few
 * noisy seconds. Shorter runs are judged on the whole-run value against the first two limits.
 */
const latencyJudge: Judge = (b, n, l, series) => {
  const floor = l.latencyFloorMs ?? 1;
  const beyond = (x: number, y: number, noise = 0) => y > x * (1 + l.latencyIncrease) && y - x > Math.max(floor, noise);
  const noiseChecked = series !== undefined && series.base.length >= MIN_SECONDS && series.next.length >= MIN_SECONDS;
  if (!noiseChecked)
    return { limit: `+${(l.latencyIncrease * 100).toFixed(0)}% and +${floor} ms at most`, regression: beyond(b, n) };
  const noise = Z * Math.hypot(medianStandardError(series.base), medianStandardError(series.next));
  const mb = median(series.base);
  const mn = median(series.next);
  return {
    limit: `median of seconds +${(l.latencyIncrease * 100).toFixed(0)}% and +${Math.max(floor, noise).toFixed(2)} ms at most (floor ${floor} ms, noise ${Z}σ); seconds ${mb.toFixed(2)} → ${mn.toFixed(2)} ms`,
    regression: beyond(mb, mn, noise),
  };
};

const higherIsWorse = (key: 'latencyIncrease' | 'rtoIncrease') => (b: number, n: number, l: CompareLimits) => ({
  limit: `+${(l[key] * 100).toFixed(0)}% at most`,
  regression: n > b * (1 + l[key]),
});
const lowerIsWorse = (b: number, n: number, l: CompareLimits) => ({
  limit: `−${(l.throughputDrop * 100).toFixed(0)}% at most`,
  regression: n < b * (1 - l.throughputDrop),
});

function metrics(base: RunRecord, next: RunRecord): Metric[] {
  const out: Metric[] = [];
  for (const p of ['p50Ms', 'p95Ms', 'p99Ms'] as const) {
    out.push({
      metric: `http_req_duration ${p.slice(0, 3)}`,
      unit: 'ms',
      get: (r) => r.load?.all.latency?.[p],
      series: (r) => (r.load?.series ?? []).map((s) => s[p]).filter((v) => v !== undefined),
      judge: p === 'p50Ms' ? () => ({ limit: 'shown', regression: false }) : latencyJudge,
    });
  }
  out.push({
    metric: 'http_req_failed rate',
    unit: '%',
    get: (r) => (r.load?.totals.requests ? (r.load.totals.failed / r.load.totals.requests) * 100 : undefined),
    judge: (b, n, l) => ({
      limit: `+${(l.errorRateIncrease * 100).toFixed(2)} pt at most`,
      regression: n > b + l.errorRateIncrease * 100,
    }),
  });
  out.push({
    metric: 'throughput',
    unit: 'req/s',
    get: (r) => (r.load ? r.load.totals.requests / (r.load.durationMs / 1000) : undefined),
    judge: lowerIsWorse,
  });
  out.push({ metric: 'capacity', unit: 'req/s', get: (r) => r.capacity?.sustainableRps, judge: lowerIsWorse });
  // RTO per experiment and fault, matched by experiment name and fault id.
  const keys = new Set(
    [...(base.chaos ?? []), ...(next.chaos ?? [])].flatMap((c) => c.faults.map((f) => `${c.experiment} ${f.id}`)),
  );
  for (const key of keys) {
    const rto = (r: RunRecord) =>
      r.chaos
        ?.flatMap((c) => c.faults.map((f) => ({ key: `${c.experiment} ${f.id}`, rto: f.rtoMs })))
        .find((x) => x.key === key)?.rto;
    out.push({ metric: `RTO ${key}`, unit: 'ms', get: rto, judge: higherIsWorse('rtoIncrease') });
  }
  const lost = (r: RunRecord) =>
    r.chaos?.some((c) => c.ledger) ? r.chaos.reduce((n, c) => n + (c.ledger?.lost.length ?? 0), 0) : undefined;
  out.push({
    metric: 'acknowledged writes lost',
    unit: 'writes',
    get: lost,
    judge: (b, n) => ({ limit: 'no more than before', regression: n > b }),
  });
  return out;
}

/** Why two runs are not comparable (different profile, engine, environment or command), if they are not. */
export function incomparable(base: RunRecord, next: RunRecord): string[] {
  const why: string[] = [];
  const diff = (what: string, a: string | undefined, b: string | undefined) => {
    if (a !== b) why.push(`${what}: ${a ?? '(none)'} vs ${b ?? '(none)'}`);
  };
  diff('command', base.command, next.command);
  diff('environment', base.environment.name, next.environment.name);
  diff('load profile', base.load?.profile, next.load?.profile);
  diff('load engine', base.load?.engine, next.load?.engine);
  diff('executor', base.load?.executor, next.load?.executor);
  diff('capacity profile', base.capacity?.profile, next.capacity?.profile);
  return why;
}

export function compareRuns(
  base: RunRecord,
  next: RunRecord,
  limits: CompareLimits,
): { deltas: Delta[]; newFailures: string[]; fixed: string[] } {
  const deltas: Delta[] = [];
  for (const m of metrics(base, next)) {
    const b = m.get(base);
    const n = m.get(next);
    if (b === undefined && n === undefined) continue;
    const series = m.series ? { base: m.series(base), next: m.series(next) } : undefined;
    const j =
      b !== undefined && n !== undefined
        ? m.judge(b, n, limits, series)
        : { limit: 'only one run has it', regression: false };
    deltas.push({ metric: m.metric, base: b, next: n, unit: m.unit, ...j });
  }
  const status = (r: RunRecord) => new Map(r.verdicts.map((v) => [v.id, v.status]));
  const [bs, ns] = [status(base), status(next)];
  const newFailures = [...ns].filter(([id, st]) => st !== 'pass' && bs.get(id) === 'pass').map(([id]) => id);
  const fixed = [...ns].filter(([id, st]) => st === 'pass' && bs.has(id) && bs.get(id) !== 'pass').map(([id]) => id);
  return { deltas, newFailures, fixed };
}

export function formatValue(v: number | undefined, unit: Delta['unit']): string {
  if (v === undefined) return '—';
  if (unit === 'ms') return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v >= 100 ? 0 : 2)} ms`;
  if (unit === '%') return `${v.toFixed(2)}%`;
  if (unit === 'req/s') return `${v.toFixed(1)} req/s`;
  return `${v}`;
}

export function change(d: Delta): string {
  if (d.base === undefined || d.next === undefined) return '';
  if (d.unit === '%') return `${d.next - d.base >= 0 ? '+' : ''}${(d.next - d.base).toFixed(2)} pt`;
  if (d.base === 0) return d.next === 0 ? '±0' : `+${d.next}`;
  const r = (d.next - d.base) / d.base;
  return `${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}%`;
}

/**
 * The comparison as verdicts: each judged metric within its limit, no verdict newly failing; when
 * the runs share no metric and nothing else is judged, that is no-data, never a pass.
 */
export function compareVerdicts(deltas: Delta[], newFailures: string[], verdictCount: number): Verdict[] {
  const verdicts: Verdict[] = deltas
    .filter((d) => d.base !== undefined && d.next !== undefined && d.limit !== 'shown')
    .map((d) => ({
      id: `compare ${d.metric}`,
      source: 'slo',
      objective: `${d.metric}: ${d.limit}`,
      status: d.regression ? 'fail' : 'pass',
      observed: `${formatValue(d.base, d.unit)} → ${formatValue(d.next, d.unit)} (${change(d)})`,
    }));
  verdicts.push({
    id: 'compare verdicts',
    source: 'slo',
    objective: 'no verdict that passed in the base run fails now',
    status: newFailures.length ? 'fail' : 'pass',
    observed: newFailures.length
      ? `newly failing: ${newFailures.join(', ')}`
      : `${verdictCount} verdicts, none newly failing`,
  });
  if (verdicts.length === 1 && deltas.every((d) => d.base === undefined || d.next === undefined)) {
    verdicts.unshift({
      id: 'compare metrics',
      source: 'slo',
      objective: 'a metric both runs measured',
      status: 'no-data',
      detail: 'the two runs share no load, capacity or chaos metric',
    });
  }
  return verdicts;
}

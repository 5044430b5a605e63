// Pure: two run records → whether they may be compared at all (their identity), per-metric deltas
// judged against the regression limits beyond run-to-run noise, and the verdicts that changed.
// A metric only one run has is shown, never judged. `judgeCompare` is the one entry point.
import { type Histogram, decode } from '../measure/histogram.ts';
import type { Evidence, RunRecord, Verdict } from '../record/schema.ts';
import { type VerdictHead, decided, failed, noData } from './verdict.ts';

export interface CompareLimits {
  latencyIncrease: number;
  /** A latency change smaller than this is never a regression, whatever its share (ms). */
  latencyFloorMs?: number;
  /** Failed requests may rise by this share (0.005 = +0.5 pt); a probe's uptime may fall by as much. */
  errorRateIncrease: number;
  throughputDrop: number;
  rtoIncrease: number;
}

export interface CompareOptions {
  limits: CompareLimits;
  /** Compare runs whose identity differs (the differences are still reported). */
  force?: boolean;
}

export interface Delta {
  metric: string;
  base: number | undefined;
  next: number | undefined;
  unit: 'ms' | '%' | 'req/s' | 'writes';
  /** The limit in words, e.g. "+10% at most"; 'shown' when it is not judged. */
  limit: string;
  regression: boolean;
  /**
   * Why the change cannot be read at all: the failed-request rate rose, so a latency that fell may
   * be requests failing fast. Judged as worse, never as better.
   */
  notComparable?: string;
  /**
   * Why the figures cannot be trusted as a measurement of the service: the load generator of a run
   * was late (its own verdict failed), so its latencies measure the machine. No-data, never judged.
   */
  unmeasured?: string;
  /** What both runs' figures rest on. */
  evidence: Evidence;
}

export interface CompareResult {
  /** Where the two runs' identities differ, one "what: base vs new" each. */
  differences: string[];
  /** Differences and no `force`: nothing was judged (the caller exits 2 with the differences). */
  refused: boolean;
  deltas: Delta[];
  newFailures: string[];
  fixed: string[];
  verdicts: Verdict[];
}

/** Seconds a run needs before its per-second series can say what is noise. */
const MIN_SECONDS = 3;
/** Standard errors a shift must exceed to be more than noise (one-sided ≈ 0.13 %). */
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

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

// ---------------------------------------------------------------------------------------------
// Identity: two runs are compared only when they ran the same thing the same way.

/** The keys of two scenarios (JSON of the executor as run) whose values differ: "rate: 100 vs 300". */
function scenarioDifferences(a: string, b: string): string[] {
  let x: Record<string, unknown>;
  let y: Record<string, unknown>;
  try {
    x = JSON.parse(a) as Record<string, unknown>;
    y = JSON.parse(b) as Record<string, unknown>;
  } catch {
    return [`scenario: ${a} vs ${b}`];
  }
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
  const show = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));
  return keys
    .filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]))
    .map((k) => `scenario ${k}: ${show(x[k])} vs ${show(y[k])}`);
}

/**
 * Where two runs differ in what makes them comparable: record version, command, environment, the
 * load profile (name, and the SHA-256 of its file's bytes), the scenario as run (executor, rate,
 * VUs, duration), engine, socket loop, executor, the capacity profile — and whether each run
 * finished (an aborted or errored run is no baseline, nor a measurement to hold to one).
 */
export function incomparable(base: RunRecord, next: RunRecord): string[] {
  const why: string[] = [];
  const diff = (what: string, a: string | number | undefined, b: string | number | undefined) => {
    if (a !== b) why.push(`${what}: ${a ?? '(none)'} vs ${b ?? '(none)'}`);
  };
  diff('record version', base.schemaVersion, next.schemaVersion);
  diff('command', base.command, next.command);
  diff('environment', base.environment.name, next.environment.name);
  diff('load profile', base.load?.profile, next.load?.profile);
  const [bi, ni] = [base.load?.identity, next.load?.identity];
  if (bi?.profileSha256 && ni?.profileSha256)
    diff('profile SHA-256', bi.profileSha256.slice(0, 12), ni.profileSha256.slice(0, 12));
  if (bi && ni) why.push(...scenarioDifferences(bi.scenario, ni.scenario));
  else if (base.load && next.load && (bi || ni))
    why.push(`scenario: ${bi ? 'recorded' : '(not recorded)'} vs ${ni ? 'recorded' : '(not recorded)'}`);
  diff('load engine', base.load?.engine, next.load?.engine);
  diff('socket loop', base.load?.generator?.core, next.load?.generator?.core);
  diff('executor', base.load?.executor, next.load?.executor);
  diff('capacity profile', base.capacity?.profile, next.capacity?.profile);
  for (const [which, r] of [
    ['base run', base],
    ['new run', next],
  ] as const) {
    if (r.status === 'aborted' || r.status === 'error')
      why.push(`${which}: ${r.status}${r.errors[0] ? ` (${r.errors[0]})` : ''}, not a finished measurement`);
    else if (which === 'base run' && r.load?.stoppedEarly)
      why.push(`base run: its load stopped early (${r.load.stoppedEarly}), not a finished measurement`);
  }
  return why;
}

// ---------------------------------------------------------------------------------------------
// Latency: the body (per-second medians) and the whole-run tail (HDR histograms).

interface LatencySide {
  /** Whole-run percentile, ms. */
  value: number;
  /** The run's HDR histogram (µs), when the record holds a readable one. */
  hist?: Histogram;
  /** Seconds the run measured. */
  seconds: number;
  /** Per-second values of the percentile, when the record holds them. */
  series: number[];
}

function histogramOf(encoded: string | undefined): Histogram | undefined {
  if (!encoded) return undefined;
  try {
    const h = decode(encoded);
    return h.totalCount > 0 ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Share of a histogram's requests slower than `ms` (a bucket counts when all of it is above). */
function shareAbove(h: Histogram, ms: number): number {
  const us = ms * 1000;
  let above = 0;
  const js = h as unknown as {
    recordedValuesIterator: {
      reset(): void;
      hasNext(): boolean;
      next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
    };
    lowestEquivalentValue(v: number): number;
  };
  const it = js.recordedValuesIterator;
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    if (js.lowestEquivalentValue(v.valueIteratedTo) > us) above += v.countAtValueIteratedTo;
  }
  return above / h.totalCount;
}

/**
 * Is the next run's pX beyond the limit, and is that more than noise?
 *
 * Tail: the whole-run percentile from the HDR histogram must exceed T = max(base × (1 + limit),
 * base + floor), and the seconds that made it so must be more than noise. Requests of one second
 * share the machine's state (a GC pause, a descheduled process, a noisy neighbour), so a stall
 * takes a second's requests together: the tail's independent unit is the second, not the request.
 * So a second is "slow" when its own pX exceeds T, and the share of slow seconds must have grown by
 * more than 3 standard errors of a two-proportion test over the runs' seconds. One or two slow
 * seconds of 60 never fail (it takes about 8 of 60, 5 of 10, with none in the base); a stall in a
 * quarter of the seconds always does, however few of each second's requests it holds. Without a
 * per-second series (a request name's own row), the share of REQUESTS slower than T is tested with
 * the runs' seconds as the sample sizes — conservative: it asks more of a stall confined to few
 * requests. Without histograms either (an old or k6 record), the whole-run value meets the relative
 * limit and the floor alone.
 *
 * Body: when both runs have ≥ 3 seconds, the median of the per-second percentiles must grow past
 * the relative limit, the floor, and 3 standard errors of the difference of medians (each from its
 * run's median absolute deviation): a shift of the whole run, however small its tail.
 */
function judgeLatency(b: LatencySide, n: LatencySide, l: CompareLimits): { limit: string; regression: boolean } {
  const floor = l.latencyFloorMs ?? 1;
  const threshold = Math.max(b.value * (1 + l.latencyIncrease), b.value + floor);
  const whole = `whole run +${pct(l.latencyIncrease)} and +${floor} ms at most`;
  const beyond = (pb: number, pn: number, nb: number, nn: number) => {
    const se = Math.sqrt((pb * (1 - pb)) / nb + (pn * (1 - pn)) / nn);
    return { more: pn - pb > Z * se, noise: Z * se };
  };
  const seriesKnown = b.series.length >= MIN_SECONDS && n.series.length >= MIN_SECONDS;
  let tailRegressed = n.value > threshold;
  let tail = whole;
  if (tailRegressed && seriesKnown) {
    const kb = b.series.filter((x) => x > threshold).length;
    const kn = n.series.filter((x) => x > threshold).length;
    const t = beyond(kb / b.series.length, kn / n.series.length, b.series.length, n.series.length);
    tailRegressed = t.more;
    tail = `${whole}, in more seconds than noise: seconds over ${threshold.toFixed(2)} ms ${kb} of ${b.series.length} → ${kn} of ${n.series.length} (noise ${(t.noise * 100).toFixed(1)} pt)`;
  } else if (tailRegressed && b.hist && n.hist) {
    const qb = shareAbove(b.hist, threshold);
    const qn = shareAbove(n.hist, threshold);
    const t = beyond(qb, qn, b.seconds, n.seconds);
    tailRegressed = t.more;
    tail = `${whole}, beyond noise: requests over ${threshold.toFixed(2)} ms ${(qb * 100).toFixed(2)}% → ${(qn * 100).toFixed(2)}% (noise ${(t.noise * 100).toFixed(2)} pt over ${b.seconds} vs ${n.seconds} s)`;
  }
  if (!seriesKnown) return { limit: tail, regression: tailRegressed };
  const noise = Z * Math.hypot(medianStandardError(b.series), medianStandardError(n.series));
  const mb = median(b.series);
  const mn = median(n.series);
  const bodyRegressed = mn > mb * (1 + l.latencyIncrease) && mn - mb > Math.max(floor, noise);
  const body = `median of seconds ${mb.toFixed(2)} → ${mn.toFixed(2)} ms, +${pct(l.latencyIncrease)} and +${Math.max(floor, noise).toFixed(2)} ms at most`;
  return { limit: `${tail}; ${body}`, regression: bodyRegressed || tailRegressed };
}

// ---------------------------------------------------------------------------------------------
// The metrics.

type Row = Omit<Delta, 'regression' | 'limit'> & { judge?: () => { limit: string; regression: boolean } };

const secondsOf = (r: RunRecord) => Math.max(1, Math.round((r.load?.durationMs ?? 0) / 1000));
const failedShare = (t: { requests: number; failed: number } | undefined) =>
  t?.requests ? t.failed / t.requests : undefined;
const requestsEvidence = (b: number, n: number, from = 'requests'): Evidence => ({
  samples: b + n,
  from: `${b} ${from} in the base run and ${n} in the new`,
});

/** One request group's rows: p50 (shown), p95 and p99 (judged), and its failed-request rate. */
/** A request name's per-second pX, from the per-second histograms the record holds for windowed thresholds. */
function namedSeries(r: RunRecord, name: string, p: number): number[] {
  const out: number[] = [];
  for (const [, requests, , encoded] of r.load?.perSecond?.[name] ?? []) {
    if (requests === 0) continue;
    const h = histogramOf(encoded);
    if (!h) return [];
    out.push(h.getValueAtPercentile(p) / 1000);
  }
  return out;
}

function groupRows(
  label: { latency: string; failed: string },
  pick: (
    r: RunRecord,
  ) =>
    | { histogram: string; latency?: { p50Ms: number; p95Ms: number; p99Ms: number; count: number } | undefined }
    | undefined,
  totals: (r: RunRecord) => { requests: number; failed: number } | undefined,
  /** The group's per-second pX, when the record holds it. */
  seriesOf: (r: RunRecord, p: number) => number[],
  base: RunRecord,
  next: RunRecord,
  l: CompareLimits,
  late: string | undefined,
): Row[] {
  const rows: Row[] = [];
  const [bt, nt] = [totals(base), totals(next)];
  const [bf, nf] = [failedShare(bt), failedShare(nt)];
  const evidence = requestsEvidence(bt?.requests ?? 0, nt?.requests ?? 0);
  // Failed requests are timed too (at their time to error): more of them, and the latency
  // population is not the same one — a fall may be requests refused fast.
  const failuresRose = bf !== undefined && nf !== undefined && nf > bf + l.errorRateIncrease;
  const [bh, nh] = [histogramOf(pick(base)?.histogram), histogramOf(pick(next)?.histogram)];
  for (const p of [50, 95, 99] as const) {
    const key = `p${p}Ms` as const;
    const value = (r: RunRecord, h: Histogram | undefined) =>
      h ? h.getValueAtPercentile(p) / 1000 : pick(r)?.latency?.[key];
    const [b, n] = [value(base, bh), value(next, nh)];
    const side = (r: RunRecord, v: number, h: Histogram | undefined): LatencySide => ({
      value: v,
      ...(h ? { hist: h } : {}),
      seconds: secondsOf(r),
      series: seriesOf(r, p),
    });
    rows.push({
      metric: `${label.latency} p${p}`,
      unit: 'ms',
      base: b,
      next: n,
      evidence,
      ...(late && p !== 50 ? { unmeasured: late } : {}),
      ...(failuresRose && b !== undefined && n !== undefined && p !== 50
        ? {
            notComparable: `failed requests rose ${((bf ?? 0) * 100).toFixed(2)}% → ${((nf ?? 0) * 100).toFixed(2)}%: failed requests are timed too, so a latency that fell may be requests failing fast`,
          }
        : {}),
      ...(p === 50 || b === undefined || n === undefined
        ? {}
        : { judge: () => judgeLatency(side(base, b, bh), side(next, n, nh), l) }),
    });
  }
  rows.push({
    metric: `${label.failed} rate`,
    unit: '%',
    base: bf === undefined ? undefined : bf * 100,
    next: nf === undefined ? undefined : nf * 100,
    evidence,
    judge: () => ({
      limit: `+${(l.errorRateIncrease * 100).toFixed(2)} pt at most`,
      regression: failuresRose,
    }),
  });
  return rows;
}

/**
 * A run whose load generator was late: its generator verdict failed (arrivals sent behind their
 * schedule — the machine, not the target, was slow), so its latencies are not the service's.
 */
function lateGenerator(base: RunRecord, next: RunRecord): string | undefined {
  for (const [which, r] of [
    ['base', base],
    ['new', next],
  ] as const) {
    const v = r.verdicts.find((x) => x.kind === 'generator' && x.status === 'fail');
    if (v)
      return `the load generator was late in the ${which} run (${v.observed ?? v.objective}): its latencies measure this machine, not the service`;
  }
  return undefined;
}

function rows(base: RunRecord, next: RunRecord, l: CompareLimits): Row[] {
  const out: Row[] = [];
  const late = lateGenerator(base, next);
  out.push(
    ...groupRows(
      { latency: 'http_req_duration', failed: 'http_req_failed' },
      (r) => r.load?.all,
      (r) => r.load?.totals,
      (r, p) => (r.load?.series ?? []).map((s) => s[`p${p}Ms` as 'p95Ms']).filter((x) => x !== undefined),
      base,
      next,
      l,
      late,
    ),
  );
  // Each request name on its own once there are several: a regression of one endpoint that is a
  // small share of the traffic does not move the run-wide percentiles.
  const names = [...new Set([...Object.keys(base.load?.byName ?? {}), ...Object.keys(next.load?.byName ?? {})])];
  if (names.length > 1)
    for (const name of names.sort())
      out.push(
        ...groupRows(
          { latency: `http_req_duration{name:${name}}`, failed: `http_req_failed{name:${name}}` },
          (r) => r.load?.byName[name],
          (r) => r.load?.byName[name]?.totals,
          (r, p) => namedSeries(r, name, p),
          base,
          next,
          l,
          late,
        ),
      );
  // Achieved throughput: requests answered without failure per second. Requests sent and refused
  // at once are not throughput.
  const good = (r: RunRecord) =>
    r.load && r.load.durationMs > 0
      ? (r.load.totals.requests - r.load.totals.failed) / (r.load.durationMs / 1000)
      : undefined;
  out.push({
    metric: 'throughput (answered without failure)',
    unit: 'req/s',
    base: good(base),
    next: good(next),
    evidence: requestsEvidence(base.load?.totals.requests ?? 0, next.load?.totals.requests ?? 0),
    judge: () => lowerIsWorse(good(base)!, good(next)!, l),
  });
  const capReq = (r: RunRecord) => (r.capacity?.steps ?? []).reduce((s, x) => s + x.requests, 0);
  out.push({
    metric: 'capacity',
    unit: 'req/s',
    base: base.capacity?.sustainableRps,
    next: next.capacity?.sustainableRps,
    evidence: requestsEvidence(capReq(base), capReq(next), 'requests over the capacity steps'),
    judge: () => lowerIsWorse(base.capacity!.sustainableRps, next.capacity!.sustainableRps, l),
  });
  // RTO per experiment and fault, uptime per experiment and probe, matched by name.
  const faultKeys = new Set(
    [...(base.chaos ?? []), ...(next.chaos ?? [])].flatMap((c) => c.faults.map((f) => `${c.experiment} ${f.id}`)),
  );
  for (const key of faultKeys) {
    const rto = (r: RunRecord) =>
      r.chaos
        ?.flatMap((c) => c.faults.map((f) => ({ key: `${c.experiment} ${f.id}`, rto: f.rtoMs })))
        .find((x) => x.key === key)?.rto;
    const [b, n] = [rto(base), rto(next)];
    out.push({
      metric: `RTO ${key}`,
      unit: 'ms',
      base: b,
      next: n,
      evidence: {
        samples: (b === undefined ? 0 : 1) + (n === undefined ? 0 : 1),
        from: 'the RTO measured in each run',
      },
      judge: () => ({ limit: `+${pct(l.rtoIncrease)} at most`, regression: n! > b! * (1 + l.rtoIncrease) }),
    });
  }
  const probeKeys = new Set(
    [...(base.chaos ?? []), ...(next.chaos ?? [])].flatMap((c) => c.probes.map((p) => `${c.experiment} ${p.name}`)),
  );
  for (const key of probeKeys) {
    const probe = (r: RunRecord) =>
      r.chaos?.flatMap((c) => c.probes.map((p) => ({ key: `${c.experiment} ${p.name}`, p }))).find((x) => x.key === key)
        ?.p;
    const uptime = (r: RunRecord) => {
      const p = probe(r);
      if (!p || p.total === 0) return undefined;
      return p.coveredMs ? ((p.healthyMs ?? 0) / p.coveredMs) * 100 : (p.ok / p.total) * 100;
    };
    const [b, n] = [uptime(base), uptime(next)];
    out.push({
      metric: `uptime ${key}`,
      unit: '%',
      base: b,
      next: n,
      evidence: requestsEvidence(probe(base)?.total ?? 0, probe(next)?.total ?? 0, 'probe samples'),
      judge: () => ({
        limit: `−${(l.errorRateIncrease * 100).toFixed(2)} pt at most`,
        regression: n! < b! - l.errorRateIncrease * 100,
      }),
    });
  }
  const lost = (r: RunRecord) =>
    r.chaos?.some((c) => c.ledger) ? r.chaos.reduce((n, c) => n + (c.ledger?.lost.length ?? 0), 0) : undefined;
  const acknowledged = (r: RunRecord) => (r.chaos ?? []).reduce((n, c) => n + (c.ledger?.acknowledged ?? 0), 0);
  out.push({
    metric: 'acknowledged writes lost',
    unit: 'writes',
    base: lost(base),
    next: lost(next),
    evidence: requestsEvidence(acknowledged(base), acknowledged(next), 'acknowledged writes'),
    judge: () => ({ limit: 'no more than before', regression: lost(next)! > lost(base)! }),
  });
  return out;
}

function lowerIsWorse(b: number, n: number, l: CompareLimits) {
  return { limit: `−${pct(l.throughputDrop)} at most`, regression: n < b * (1 - l.throughputDrop) };
}

// ---------------------------------------------------------------------------------------------
// The judgement.

/**
 * Two run records judged: refused (nothing judged) when their identity differs and `force` is not
 * set; otherwise each metric both measured is held to its limit beyond noise, and the comparison
 * is a list of compare verdicts — every one with the requests of both runs as its evidence.
 */
export function judgeCompare(base: RunRecord, next: RunRecord, options: CompareOptions): CompareResult {
  const differences = incomparable(base, next);
  if (differences.length && !options.force)
    return { differences, refused: true, deltas: [], newFailures: [], fixed: [], verdicts: [] };
  const deltas: Delta[] = [];
  for (const r of rows(base, next, options.limits)) {
    if (r.base === undefined && r.next === undefined) continue;
    const { judge, ...d } = r;
    const j =
      r.base === undefined || r.next === undefined
        ? { limit: 'only one run has it', regression: false }
        : judge
          ? judge()
          : { limit: 'shown', regression: false };
    // Worse is worse either way; a change that would read as better while failures rose is not.
    const notComparable = !j.regression && d.notComparable ? d.notComparable : undefined;
    const { notComparable: _, ...rest } = d;
    deltas.push({ ...rest, limit: j.limit, regression: j.regression, ...(notComparable ? { notComparable } : {}) });
  }
  const status = (r: RunRecord) => new Map(r.verdicts.map((v) => [v.id, v.status]));
  const [bs, ns] = [status(base), status(next)];
  const newFailures = [...ns].filter(([id, st]) => st !== 'pass' && bs.get(id) === 'pass').map(([id]) => id);
  const fixed = [...ns].filter(([id, st]) => st === 'pass' && bs.has(id) && bs.get(id) !== 'pass').map(([id]) => id);
  const verdicts = compareVerdicts(deltas, newFailures, next.verdicts.length);
  return { differences, refused: false, deltas, newFailures, fixed, verdicts };
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
 * The comparison as verdicts: each judged metric within its limit (a regression, or a change not
 * comparable because failures rose, fails), no verdict newly failing; when the runs share no
 * metric, that is no-data, never a pass.
 */
export function compareVerdicts(deltas: Delta[], newFailures: string[], verdictCount: number): Verdict[] {
  const verdicts: Verdict[] = deltas
    .filter((d) => d.base !== undefined && d.next !== undefined && d.limit !== 'shown')
    .map((d) => {
      const head: VerdictHead = { id: `compare ${d.metric}`, kind: 'compare', objective: `${d.metric}: ${d.limit}` };
      const observed = `${formatValue(d.base, d.unit)} → ${formatValue(d.next, d.unit)} (${change(d)})`;
      if (d.unmeasured) return noData(head, d.unmeasured, { observed });
      if (d.regression) return failed(head, { observed, evidence: d.evidence });
      if (d.notComparable)
        return failed(head, { observed, detail: `not comparable: ${d.notComparable}`, evidence: d.evidence });
      return decided(head, true, d.evidence, { observed });
    });
  const head: VerdictHead = {
    id: 'compare verdicts',
    kind: 'compare',
    objective: 'no verdict that passed in the base run fails now',
  };
  const evidence: Evidence = { samples: verdictCount, from: `${verdictCount} verdicts of the new run` };
  verdicts.push(
    newFailures.length
      ? failed(head, { observed: `newly failing: ${newFailures.join(', ')}`, evidence })
      : decided(head, true, evidence, { observed: `${verdictCount} verdicts, none newly failing` }),
  );
  if (verdicts.length === 1 && deltas.every((d) => d.base === undefined || d.next === undefined))
    verdicts.unshift(
      noData(
        { id: 'compare metrics', kind: 'compare', objective: 'a metric both runs measured' },
        'the two runs share no load, capacity or chaos metric',
      ),
    );
  return verdicts;
}

// Test support for the judges' properties (*.property.test.ts): load results built from a list of
// requests — real HDR histograms through measure/histogram.ts, totals, per-second series and
// rows all derived from the same requests, so they agree as an engine's would — and fast-check
// arbitraries for such traffic and for ways of making it worse. Not shipped (tsconfig.build.json).
import fc from 'fast-check';
import { encode, type LatencySummary, newHistogram } from '../measure/histogram.ts';
import type { LoadResult } from '../record/schema.ts';

/** One request: the second it was sent in, its time to answer or error (µs), and whether it failed. */
export interface Req {
  t: number;
  us: number;
  ok: boolean;
}

export interface Traffic {
  seconds: number;
  model: 'open' | 'closed';
  requests: Req[];
  /** Arrivals the generator could not send, per second (open model). */
  droppedPerSecond: number[];
}

// Encoding an HDR histogram costs milliseconds, summarising it more: properties build thousands
// of results, so each encoding is kept by its values, and per-second histograms are made only
// when asked for (an engine keeps them only for a windowed latency threshold).
const encoded = new Map<string, string>();

function histogramOf(us: readonly number[]): string {
  const key = [...us].sort((a, b) => a - b).join(',');
  let hit = encoded.get(key);
  if (hit === undefined) {
    const h = newHistogram();
    for (const v of us) h.recordValue(v);
    hit = encode(h);
    if (encoded.size > 20_000) encoded.clear();
    encoded.set(key, hit);
  }
  return hit;
}

/** The summary the report shows, by nearest rank on the exact values (the judges read the histogram). */
function summaryOf(us: readonly number[]): LatencySummary | undefined {
  if (!us.length) return undefined;
  const sorted = [...us].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]! / 1000;
  return {
    count: sorted.length,
    minMs: sorted[0]! / 1000,
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length / 1000,
    p50Ms: at(50),
    p90Ms: at(90),
    p95Ms: at(95),
    p99Ms: at(99),
    p999Ms: at(99.9),
    maxMs: sorted.at(-1)! / 1000,
  };
}

/** A latency block (summary and HDR histogram) of values in µs, as the record keeps one. */
export function block(us: readonly number[]) {
  const latency = summaryOf(us);
  return { ...(latency ? { latency } : {}), histogram: histogramOf(us) };
}

/** A failed request is a 500 (the target answered) or refused (it did not); both count in http_req_failed. */
function tally(reqs: readonly Req[], failedAs: 'http_5xx' | 'refused') {
  const failed = reqs.filter((r) => !r.ok).length;
  const ok = reqs.length - failed;
  return {
    requests: reqs.length,
    failed,
    errors: failed ? { [failedAs]: failed } : {},
    statuses: {
      ...(ok ? { 200: ok } : {}),
      ...(failed && failedAs === 'http_5xx' ? { 500: failed } : {}),
    },
    bytesIn: 0,
    bytesOut: 0,
  };
}

/** The load result an engine would record for this traffic: one HTTP request name, "api". */
export function loadResultOf(
  tr: Traffic,
  o: { failedAs?: 'http_5xx' | 'refused'; secondHistograms?: boolean } = {},
): LoadResult {
  const failedAs = o.failedAs ?? 'http_5xx';
  const all = tr.requests.map((r) => r.us);
  const whole = block(all);
  const dropped = tr.droppedPerSecond.reduce((a, b) => a + b, 0);
  const rows = Array.from({ length: tr.seconds }, (_, t): [number, number, number, ...string[]] => {
    const inT = tr.requests.filter((r) => r.t === t);
    const row: [number, number, number] = [t, inT.length, inT.filter((r) => !r.ok).length];
    return o.secondHistograms ? [...row, histogramOf(inT.map((r) => r.us))] : row;
  });
  return {
    engine: 'embedded',
    profile: 'p',
    executor: tr.model === 'open' ? 'constant-arrival-rate' : 'constant-vus',
    model: tr.model,
    workers: 1,
    startedAtMs: 0,
    durationMs: tr.seconds * 1000,
    scheduledMs: tr.seconds * 1000,
    totals: {
      ...tally(tr.requests, failedAs),
      iterations: tr.requests.length,
      droppedIterations: dropped,
      interruptedIterations: 0,
      maxVus: 10,
    },
    all: whole,
    byName: { api: { ...whole, totals: tally(tr.requests, failedAs), method: 'GET' } },
    iterationDuration: whole,
    series: rows.map(([t, requests, failed]) => {
      const s = summaryOf(tr.requests.filter((r) => r.t === t).map((r) => r.us));
      return {
        t,
        requests,
        failed,
        errors: failed ? { [failedAs]: failed } : {},
        ...(s ? { p50Ms: s.p50Ms, p95Ms: s.p95Ms, p99Ms: s.p99Ms } : {}),
        vus: 10,
        dropped: tr.droppedPerSecond[t] ?? 0,
      };
    }),
    perSecond: { api: rows },
  };
}

/** Latencies from 0.1 ms to 5 s, in µs. */
export const latencyUs = fc.integer({ min: 100, max: 5_000_000 });

export const traffic = (o: { maxRequests?: number; minRequests?: number } = {}): fc.Arbitrary<Traffic> =>
  fc.integer({ min: 1, max: 8 }).chain((seconds) =>
    fc.record({
      seconds: fc.constant(seconds),
      model: fc.constantFrom('open' as const, 'closed' as const),
      requests: fc.array(
        fc.record({
          t: fc.integer({ min: 0, max: seconds - 1 }),
          us: latencyUs,
          ok: fc.boolean(),
        }),
        { minLength: o.minRequests ?? 0, maxLength: o.maxRequests ?? 30 },
      ),
      droppedPerSecond: fc.array(fc.nat(3), { minLength: seconds, maxLength: seconds }),
    }),
  );

/** Each request answered later (or as late): a slower target. */
export const slower = (tr: Traffic): fc.Arbitrary<Traffic> =>
  fc.array(fc.nat(2_000_000), { minLength: tr.requests.length, maxLength: tr.requests.length }).map((extra) => ({
    ...tr,
    requests: tr.requests.map((r, i) => ({ ...r, us: r.us + extra[i]! })),
  }));

/** Some answered requests fail instead: more errors. */
export const moreErrors = (tr: Traffic): fc.Arbitrary<Traffic> =>
  fc.array(fc.boolean(), { minLength: tr.requests.length, maxLength: tr.requests.length }).map((flip) => ({
    ...tr,
    requests: tr.requests.map((r, i) => ({ ...r, ok: r.ok && !flip[i] })),
  }));

/** More arrivals dropped by the generator. */
export const moreDrops = (tr: Traffic): fc.Arbitrary<Traffic> =>
  fc.array(fc.nat(5), { minLength: tr.seconds, maxLength: tr.seconds }).map((extra) => ({
    ...tr,
    droppedPerSecond: tr.droppedPerSecond.map((d, i) => d + extra[i]!),
  }));

/** Some requests never happened: less throughput, fewer samples. */
export const fewerRequests = (tr: Traffic): fc.Arbitrary<Traffic> =>
  fc.array(fc.boolean(), { minLength: tr.requests.length, maxLength: tr.requests.length }).map((keep) => ({
    ...tr,
    requests: tr.requests.filter((_, i) => keep[i]),
  }));

/** An input and a worse one, by the given worsening. */
export const worsened = <T>(base: fc.Arbitrary<T>, worse: (x: T) => fc.Arbitrary<T>) =>
  base.chain((x) => worse(x).map((w) => ({ base: x, worse: w })));

/** A window for a windowed threshold, or none. */
export const windowTag = fc.constantFrom('', '{window:1s}', '{window:3s}', '{window:1m}');

/** An upper bound ("<" or "<=") on a value in [0, max]: what a limit is written as. */
export const upperBound = (max: number) =>
  fc.tuple(fc.constantFrom('<', '<='), fc.integer({ min: 0, max })).map(([op, v]) => `${op}${v}`);

/** A lower bound (">" or ">="): what a floor is written as. */
export const lowerBound = (max: number) =>
  fc.tuple(fc.constantFrom('>', '>='), fc.integer({ min: 0, max })).map(([op, v]) => `${op}${v}`);

/** The fast-check settings of the judges' properties: enough runs to find a counterexample, few enough to stay quick. */
export const runs = { numRuns: 100 } as const;

/**
 * What an experiment's probes saw: one http probe sampling every `intervalMs` from 0, the fault
 * injected at `injectedAtMs`, each sample healthy or not; and a write ledger (one acknowledged
 * write per sample) with the sequence numbers the database still holds afterwards.
 */
export interface Observation {
  intervalMs: number;
  injectedAtMs: number;
  healthy: boolean[];
  lost: boolean[];
}

export const observation: fc.Arbitrary<Observation> = fc
  .record({
    intervalMs: fc.constantFrom(100, 250, 1000),
    injectAt: fc.nat(5),
    n: fc.integer({ min: 0, max: 40 }),
  })
  .chain(({ intervalMs, injectAt, n }) =>
    fc.record({
      intervalMs: fc.constant(intervalMs),
      injectedAtMs: fc.constant(injectAt * intervalMs),
      healthy: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      lost: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    }),
  );

/** A longer outage: the first `k` healthy samples after the first failed one fail too. */
export const longerOutage = (o: Observation): fc.Arbitrary<Observation> =>
  fc.nat(o.healthy.length).map((k) => {
    const first = o.healthy.findIndex((h, i) => !h && i * o.intervalMs >= o.injectedAtMs);
    const healthy = [...o.healthy];
    let left = k;
    for (let i = Math.max(0, first); i < healthy.length && left > 0; i++)
      if (healthy[i] && i * o.intervalMs >= o.injectedAtMs) {
        healthy[i] = false;
        left--;
      }
    return { ...o, healthy };
  });

/** Lower uptime: any healthy samples fail instead. */
export const lowerUptime = (o: Observation): fc.Arbitrary<Observation> =>
  fc.array(fc.boolean(), { minLength: o.healthy.length, maxLength: o.healthy.length }).map((flip) => ({
    ...o,
    healthy: o.healthy.map((h, i) => h && !flip[i]),
  }));

/** More acknowledged writes lost. */
export const moreLost = (o: Observation): fc.Arbitrary<Observation> =>
  fc.array(fc.boolean(), { minLength: o.lost.length, maxLength: o.lost.length }).map((more) => ({
    ...o,
    lost: o.lost.map((l, i) => l || more[i]!),
  }));

/** Some answered requests never happened (the failed ones all did): less throughput, a higher failure rate. */
export const fewerAnswered = (tr: Traffic): fc.Arbitrary<Traffic> =>
  fc.array(fc.boolean(), { minLength: tr.requests.length, maxLength: tr.requests.length }).map((keep) => ({
    ...tr,
    requests: tr.requests.filter((r, i) => !r.ok || keep[i]),
  }));

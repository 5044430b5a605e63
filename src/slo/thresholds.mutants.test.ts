// Mutation-testing companions to thresholds.test.ts (docs/mutation.md): each pins a behaviour a
// surviving StrykerJS mutant showed no test was checking — which requests a selector takes, each
// aggregation's exact value, the worst window, and the texts, evidence and units a verdict carries.
import { describe, expect, it } from 'vitest';
import { parseSelector, type MetricSelector } from '../config/threshold.ts';
import type { LoadResult } from '../record/schema.ts';
import { block, loadResultOf, type Req } from './arbitraries.test-util.ts';
import { abortCheck, failures, littlesLaw, observe, thresholdVerdicts, wholeSeconds } from './thresholds.ts';

const sel = (text: string) => parseSelector(text) as MetricSelector;
const ok = (t: number, ms: number): Req => ({ t, us: Math.round(ms * 1000), ok: true });
const bad = (t: number, ms: number): Req => ({ t, us: Math.round(ms * 1000), ok: false });

/** Values below 2048 µs are exact in the HDR histogram: 0.5, 1, 1.5 and 2 ms; 3 requests failed of 4. */
function mixed(): LoadResult {
  const r = loadResultOf(
    { seconds: 10, model: 'closed', requests: [ok(0, 0.5), bad(1, 1), bad(2, 1.5), bad(3, 2)], droppedPerSecond: [] },
    { secondHistograms: true },
  );
  // A POST request with no kind (HTTP), a SQL statement and a Redis command beside "api" (GET).
  const extra = (us: number[], n: number, failed: number) => ({
    ...block(us),
    totals: { requests: n, failed, errors: {}, statuses: {}, bytesIn: 0, bytesOut: 0 },
  });
  r.byName.home = { ...extra([1_000_000], 1, 0), method: 'POST' };
  r.byName.q = { ...extra([300_000, 400_000], 2, 1), kind: 'postgres', method: 'SELECT' };
  r.byName.c = { ...extra([7_000], 5, 5), kind: 'redis', method: 'GET' };
  r.iterationDuration = block([1_500, 2_000]);
  r.totals = { ...r.totals, iterations: 7, droppedIterations: 3, requests: 12 };
  return r;
}

const one = (
  r: LoadResult,
  s: string,
  e: string | { threshold: string; abortOnFail: boolean; delayAbortEval: number },
) => thresholdVerdicts(r, { [s]: [e] })[0]!;

describe('which requests a selector takes', () => {
  const r = mixed();

  it('by kind (absent is HTTP), name and method', () => {
    expect(failures(r, sel('http_req_failed'))).toEqual({ failed: 3, total: 5 });
    expect(failures(r, sel('http_req_failed{method:GET}'))).toEqual({ failed: 3, total: 4 });
    expect(failures(r, sel('http_req_failed{name:home}'))).toEqual({ failed: 0, total: 1 });
    expect(failures(r, sel('db_query_failed'))).toEqual({ failed: 1, total: 2 });
    expect(failures(r, sel('redis_cmd_failed{method:GET}'))).toEqual({ failed: 5, total: 5 });
    expect(observe(r, sel('http_req_duration'), 'max')?.value).toBeCloseTo(1000, -1);
    expect(observe(r, sel('http_req_duration{method:GET}'), 'max')?.value).toBe(2);
    expect(observe(r, sel('db_query_duration'), 'min')?.value).toBeCloseTo(300, 0);
    expect(observe(r, sel('redis_cmd_duration'), 'max')?.value).toBeCloseTo(7, 1);
    expect(observe(r, sel('db_queries'), 'count')?.value).toBe(2);
    expect(observe(r, sel('redis_cmds'), 'count')?.value).toBe(5);
    expect(observe(r, sel('http_reqs'), 'count')?.value).toBe(5);
  });
});

describe('each aggregation, its text, evidence and unit', () => {
  const r = mixed();
  const api = 'http_req_duration{name:api}';

  it('a trend: avg, min, max, med, p(x) on the histogram; ms', () => {
    const v = thresholdVerdicts(r, { [api]: ['avg<1', 'min<1', 'max<1', 'med<1', 'p(25)<1'] });
    expect(v.map((x) => x.measured?.value)).toEqual([1.25, 0.5, 2, 1, 0.5]);
    expect(v.map((x) => x.observed)).toEqual([
      'avg=1.25 ms',
      'min=0.500 ms',
      'max=2.00 ms',
      'med=1.00 ms',
      'p(25)=0.500 ms',
    ]);
    expect(v[0]).toMatchObject({
      id: `${api} avg<1`,
      kind: 'threshold',
      objective: 'avg<1',
      status: 'fail',
      measured: { value: 1.25, unit: 'ms' },
      bound: { op: '<', value: 1, unit: 'ms' },
      evidence: { samples: 4, coveredMs: 10_000, from: 'HDR histogram of 4 requests' },
    });
    expect(v[0]).not.toHaveProperty('detail');
    expect(v[0]).not.toHaveProperty('byDefault');
    expect(v[0]).not.toHaveProperty('window');
    // Percentiles with decimals: p(99.9) and p(99.99) are 2 ms here, the median 1 ms.
    expect(thresholdVerdicts(r, { [api]: ['p(99.9)<1', 'p(99.99)<1'] }).map((x) => x.measured?.value)).toEqual([2, 2]);
    // min is the least non-zero value.
    const z = loadResultOf({ seconds: 1, model: 'closed', requests: [ok(0, 0), ok(0, 1.5)], droppedPerSecond: [] });
    expect(observe(z, sel('http_req_duration'), 'min')?.value).toBe(1.5);
    expect(one(mixed(), 'http_req_duration{name:home}', 'max<1').observed).toMatch(/^max=\d{3,4} ms$/);
  });

  it('iteration_duration: the iterations’ histogram', () => {
    expect(one(r, 'iteration_duration', 'max<10')).toMatchObject({
      status: 'pass',
      measured: { value: 2, unit: 'ms' },
      evidence: { samples: 2, from: 'HDR histogram of 2 iterations' },
    });
  });

  it('a rate: its share, failed of total; ratio', () => {
    expect(one(r, 'db_query_failed', 'rate<0.6')).toMatchObject({
      status: 'pass',
      measured: { value: 0.5, unit: 'ratio' },
      observed: 'rate=50.00% (1/2)',
      evidence: { samples: 2, coveredMs: 10_000, from: '2 requests' },
    });
  });

  it('counters: count or a rate per second of the run; count or req/s', () => {
    expect(one(r, 'http_reqs', 'count>=5')).toMatchObject({
      status: 'pass',
      measured: { value: 5, unit: 'count' },
      observed: 'count=5',
      evidence: { samples: 5, from: '5 requests over 10 s' },
    });
    expect(one(r, 'http_reqs', 'rate>0.6')).toMatchObject({
      status: 'fail',
      measured: { value: 0.5, unit: 'req/s' },
      observed: 'rate=0.50/s',
    });
    expect(one(r, 'iterations', 'count>6')).toMatchObject({
      measured: { value: 7 },
      evidence: { samples: 7, from: '7 iterations' },
    });
    // Drops: of every scheduled arrival (requests + dropped).
    expect(one(r, 'dropped_iterations', 'count<3')).toMatchObject({
      status: 'fail',
      measured: { value: 3, unit: 'count' },
      evidence: { samples: 15, from: '15 scheduled arrivals' },
    });
  });

  it('a failure rate with no request is no-data, said as such', () => {
    const none = loadResultOf({ seconds: 2, model: 'open', requests: [], droppedPerSecond: [0, 0] });
    expect(one(none, 'http_req_failed', 'rate<0.5')).toMatchObject({
      status: 'no-data',
      detail: 'no samples of http_req_failed',
    });
  });

  it('a metric it does not produce, an unparsable selector or expression: no-data or nothing', () => {
    expect(one(r, 'checks', 'rate>0.9')).toMatchObject({ status: 'no-data', detail: 'no samples of checks' });
    expect(thresholdVerdicts(r, { 'http_reqs{': ['count>1'], http_reqs: ['count>>1', 'count>1'] })).toHaveLength(1);
    expect(one(r, 'http_reqs', { threshold: 'count>1', abortOnFail: false, delayAbortEval: 0 }).status).toBe('pass');
  });

  it('a default says so, with the metric', () => {
    const [v] = thresholdVerdicts(r, { http_req_failed: ['rate<0.01'] }, { defaults: ['http_req_failed'] });
    expect(v).toMatchObject({ byDefault: true, status: 'fail' });
    expect(v!.detail).toBe(
      "a default: the profile sets no http_req_failed threshold, so a load fails when 1 % or more of its requests fail; write your own (e.g. http_req_failed: ['rate<0.05']) to change it",
    );
    const [w] = thresholdVerdicts(r, { http_req_failed: ['rate<0.01'] }, { defaults: ['db_query_failed'] });
    expect(w).not.toHaveProperty('byDefault');
    expect(w).not.toHaveProperty('detail');
  });
});

describe('windows: values, the worst one, texts', () => {
  /** Requests per second `counts`, of 0.5 ms + t / 2, `failing[t]` of them failed; drops per second. */
  function perSecond(counts: number[], failing: number[] = [], dropped: number[] = []): LoadResult {
    const requests: Req[] = counts.flatMap((n, t) =>
      Array.from({ length: n }, (_, i) => (i < (failing[t] ?? 0) ? bad(t, 0.5 + t / 2) : ok(t, 0.5 + t / 2))),
    );
    return loadResultOf(
      { seconds: counts.length, model: 'open', requests, droppedPerSecond: counts.map((_, t) => dropped[t] ?? 0) },
      { secondHistograms: true },
    );
  }

  it('whole seconds: the shorter of the schedule and the run', () => {
    expect(wholeSeconds({ scheduledMs: 5_900, durationMs: 7_000 } as LoadResult)).toBe(5);
    expect(wholeSeconds({ scheduledMs: 9_000, durationMs: 4_999 } as LoadResult)).toBe(4);
  });

  it('a ceiling: the highest window; a failing one outweighs any passing one', () => {
    const r = perSecond([5, 8, 3]);
    expect(one(r, 'http_reqs{window:1s}', 'count<6')).toMatchObject({
      status: 'fail',
      measured: { value: 8, unit: 'count' },
      observed: 'count=8.00 in the worst 1 s window, +1–2 s',
      window: { fromS: 1, toS: 2 },
      evidence: { samples: 8, coveredMs: 3000, from: 'http_reqs{window:1s} in the 1 s window +1–2 s' },
    });
    expect(one(r, 'http_reqs{window:1s}', 'count<=20').observed).toBe('count=8.00 in the worst 1 s window, +1–2 s');
    // Two seconds at a time: 13 then 11 requests.
    expect(one(r, 'http_reqs{window:2s}', 'count<20')).toMatchObject({
      measured: { value: 13 },
      observed: 'count=13.00 in the worst 2 s window, +0–2 s',
      evidence: { samples: 13 },
    });
  });

  it('a floor: the lowest window; ==: the first failing one', () => {
    const r = perSecond([5, 8, 3, 4]);
    expect(one(r, 'http_reqs{window:1s}', 'count>1').observed).toBe('count=3.00 in the worst 1 s window, +2–3 s');
    expect(one(r, 'http_reqs{window:1s}', 'count>=4')).toMatchObject({
      status: 'fail',
      observed: 'count=3.00 in the worst 1 s window, +2–3 s',
    });
    // Two failing windows under >=: the lower one.
    expect(one(r, 'http_reqs{window:1s}', 'count>=6').observed).toBe('count=3.00 in the worst 1 s window, +2–3 s');
    expect(one(r, 'http_reqs{window:1s}', 'count==5')).toMatchObject({
      status: 'fail',
      observed: 'count=8.00 in the worst 1 s window, +1–2 s',
    });
    expect(one(r, 'http_reqs{window:1s}', 'count!=9').observed).toBe('count=5.00 in the worst 1 s window, +0–1 s');
    // A rate per second over the window.
    expect(one(r, 'http_reqs{window:2s}', 'rate>1')).toMatchObject({
      measured: { value: 3.5, unit: 'req/s' },
      observed: 'rate=3.50 in the worst 2 s window, +2–4 s',
    });
  });

  it('a failure rate per window, and a latency per window from its seconds’ histograms', () => {
    const r = perSecond([4, 4, 4], [0, 1, 3]);
    expect(one(r, 'http_req_failed{window:1s}', 'rate<0.5')).toMatchObject({
      status: 'fail',
      measured: { value: 0.75, unit: 'ratio' },
      observed: 'rate=75.00% in the worst 1 s window, +2–3 s',
      evidence: { samples: 4 },
    });
    expect(one(r, 'http_req_failed{window:2s}', 'rate<0.6').observed).toBe(
      'rate=50.00% in the worst 2 s window, +1–3 s',
    );
    const d = one(r, 'http_req_duration{window:1s}', 'max<1.2');
    expect(d).toMatchObject({
      status: 'fail',
      measured: { value: 1.5, unit: 'ms' },
      observed: 'max=1.50 ms in the worst 1 s window, +2–3 s',
    });
    expect(one(r, 'http_req_duration{window:2s}', 'min>0').observed).toBe(
      'min=0.500 ms in the worst 2 s window, +0–2 s',
    );
  });

  it('dropped arrivals per window: count or per second, resting on every scheduled arrival', () => {
    const r = perSecond([5, 5, 5], [], [0, 4, 1]);
    expect(one(r, 'dropped_iterations{window:1s}', 'count<2')).toMatchObject({
      status: 'fail',
      measured: { value: 4, unit: 'count' },
      observed: 'count=4.00 in the worst 1 s window, +1–2 s',
      evidence: { samples: 9 },
    });
    expect(one(r, 'dropped_iterations{window:2s}', 'count<9').observed).toBe(
      'count=5.00 in the worst 2 s window, +1–3 s',
    );
    expect(one(r, 'dropped_iterations{window:2s}', 'rate<5')).toMatchObject({
      measured: { value: 2.5, unit: 'req/s' },
      observed: 'rate=2.50 in the worst 2 s window, +1–3 s',
      evidence: { samples: 15 },
    });
  });

  it('seconds without a histogram or requests give no latency; no-data names why', () => {
    const r = perSecond([2, 0, 2]);
    expect(one(r, 'http_req_duration{window:1s}', 'max<100').observed).toBe(
      'max=1.50 ms in the worst 1 s window, +2–3 s',
    );
    // A second with no request has no failure rate (not 0/0): the other windows judge.
    expect(one(r, 'http_req_failed{window:1s}', 'rate<0.5')).toMatchObject({
      status: 'pass',
      measured: { value: 0 },
      observed: 'rate=0.00% in the worst 1 s window, +0–1 s',
    });
    const noHist = loadResultOf({ seconds: 2, model: 'open', requests: [ok(0, 1)], droppedPerSecond: [0, 0] });
    expect(one(noHist, 'http_req_duration{window:1s}', 'max<100')).toMatchObject({
      status: 'no-data',
      detail: 'no samples of http_req_duration{window:1s} in a whole window of the schedule',
    });
    expect(one({ ...r, perSecond: undefined }, 'http_reqs{window:1s}', 'count>0').detail).toBe(
      'no samples of http_reqs{window:1s} (this engine keeps no per-second data per request to window)',
    );
    // One whole second is one window; with no request in it, no window.
    expect(one(perSecond([3]), 'http_reqs{window:1s}', 'count>1').observed).toBe(
      'count=3.00 in the worst 1 s window, +0–1 s',
    );
    expect(one(perSecond([0]), 'http_req_failed{window:1s}', 'rate<0.5').detail).toBe(
      'no samples of http_req_failed{window:1s} in a whole window of the schedule',
    );
    // A run-wide threshold says nothing more.
    expect(one(perSecond([0]), 'http_req_duration', 'max<1').detail).toBe('no samples of http_req_duration');
  });
});

describe('abortOnFail: the check and the held verdict', () => {
  const r = mixed(); // http_req_failed: 3 of 5
  const t = (threshold: string, delayAbortEval = 1000, abortOnFail = true) => ({
    threshold,
    abortOnFail,
    delayAbortEval,
  });

  it('evaluated from its delay on, abortOnFail only; every failing one is held', () => {
    expect(abortCheck(r, { http_req_failed: [t('rate<0.5', 0, false), 'rate<0.5'] }, 5000)).toBeUndefined();
    expect(abortCheck(r, { http_req_failed: [t('rate<0.5')] }, 999)).toBeUndefined();
    // An expression it cannot parse (refused before the run) gives no verdict to hold.
    expect(abortCheck(r, { http_req_failed: [t('rate<<0.5')] }, 5000)).toBeUndefined();
    expect(abortCheck(r, { http_req_failed: [t('rate<0.5'), t('rate<0.9')], http_reqs: [t('count<2')] }, 1000)).toEqual(
      {
        reason: 'threshold http_req_failed rate<0.5 failed (rate=60.00% (3/5)) with abortOnFail',
        thresholds: [
          { id: 'http_req_failed rate<0.5', value: 0.6, observed: 'rate=60.00% (3/5)' },
          { id: 'http_reqs count<2', value: 5, observed: 'count=5' },
        ],
      },
    );
  });

  const aborted = (held: { id: string; value?: number; observed?: string }, base = r): LoadResult => ({
    ...base,
    scheduledMs: 30_000,
    thresholdAbort: { engine: 'gauntlet', atMs: 2500, thresholds: [held] },
  });

  it('matched by id whatever its spacing; without its value or observation, the final data’s', () => {
    const [v] = thresholdVerdicts(aborted({ id: 'http_req_failed  rate < 0.5' }), {
      http_req_failed: ['rate < 0.5'],
    });
    expect(v).toEqual({
      id: 'http_req_failed rate < 0.5',
      kind: 'threshold',
      scope: 'load',
      source: 'threshold',
      objective: 'rate < 0.5',
      status: 'fail',
      evidence: { samples: 5, coveredMs: 10_000, from: '5 requests' },
      observed: 'rate=60.00% (3/5) when abortOnFail stopped the run at +2.5 s of 30 s scheduled',
      detail: 'held failed: the rest of the schedule never ran; on the final data rate=60.00% (3/5)',
    });
  });

  it('no final data: "failing", evidence from every request', () => {
    const empty = mixed();
    const [v] = thresholdVerdicts(aborted({ id: 'checks rate>0.9' }, empty), { checks: ['rate>0.9'] });
    expect(v).toMatchObject({
      status: 'fail',
      evidence: { samples: 12, coveredMs: 10_000, from: '12 requests' },
      observed: 'failing when abortOnFail stopped the run at +2.5 s of 30 s scheduled',
      detail: 'held failed: the rest of the schedule never ran',
    });
  });

  it('a held value that would pass the bound is still failed, without it as the measure', () => {
    const [v] = thresholdVerdicts(aborted({ id: 'http_req_failed rate<0.5', value: 0.1, observed: 'x' }), {
      http_req_failed: ['rate<0.5'],
    });
    expect(v).toMatchObject({
      status: 'fail',
      observed: 'x when abortOnFail stopped the run at +2.5 s of 30 s scheduled',
    });
    expect(v).not.toHaveProperty('measured');
    const [w] = thresholdVerdicts(aborted({ id: 'http_req_failed rate<0.5', value: 0.7 }), {
      http_req_failed: ['rate<0.5'],
    });
    expect(w).toMatchObject({
      status: 'fail',
      measured: { value: 0.7, unit: 'ratio' },
      bound: { op: '<', value: 0.5, unit: 'ratio' },
      evidence: { samples: 5, coveredMs: 10_000, from: '5 requests' },
    });
  });
});

describe("Little's law", () => {
  const closed = (iterations: number, meanMs: number, durationMs = 10_000): LoadResult =>
    ({
      model: 'closed',
      durationMs,
      totals: { iterations },
      iterationDuration: { latency: { meanMs } },
    }) as unknown as LoadResult;

  it('throughput × mean iteration time against the VUs, within the tolerance inclusive', () => {
    expect(littlesLaw(closed(1000, 20), 2)).toEqual({ concurrency: 2, observed: 2, ratio: 1, ok: true });
    // 100/s × 50 ms = 5 against 4: ratio 1.25; 100/s × 30 ms = 3: ratio 0.75 — both at a 25 % tolerance.
    expect(littlesLaw(closed(1000, 50), 4, 0.25)).toEqual({ concurrency: 4, observed: 5, ratio: 1.25, ok: true });
    expect(littlesLaw(closed(1000, 30), 4, 0.25)).toMatchObject({ ratio: 0.75, ok: true });
    expect(littlesLaw(closed(1000, 50), 4)).toMatchObject({ ok: false });
    expect(littlesLaw(closed(1000, 30), 4)).toMatchObject({ ok: false });
    expect(littlesLaw(closed(1000, 45), 4)).toMatchObject({ ok: true }); // 1.125, within 15 %
    expect(littlesLaw(closed(1000, 35), 4)).toMatchObject({ ok: true }); // 0.875
  });

  it('nothing to say without VUs, an iteration time, or a duration', () => {
    expect(littlesLaw(closed(1000, 20), undefined)).toBeUndefined();
    expect(littlesLaw({ ...closed(1000, 20), iterationDuration: {} } as LoadResult, 2)).toBeUndefined();
    expect(littlesLaw(closed(1000, 20, 0), 2)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { encode, newHistogram } from '../measure/histogram.ts';
import type { LoadResult } from '../record/schema.ts';
import {
  DEFAULT_FAILED_THRESHOLD,
  catalogFor,
  parseExpr,
  parseSelector,
  validateThresholds,
  withDefaultFailureThresholds,
} from '../config/threshold.ts';
import { abortCheck, abortReason, littlesLaw, thresholdVerdicts } from './thresholds.ts';

function histogramOf(valuesMs: number[]): string {
  const h = newHistogram();
  for (const v of valuesMs) h.recordValue(Math.round(v * 1000));
  return encode(h);
}

const tally = (requests: number, failed: number) => ({
  requests,
  failed,
  errors: failed ? { http_5xx: failed } : {},
  statuses: { 200: requests - failed, ...(failed ? { 500: failed } : {}) },
  bytesIn: 0,
  bytesOut: 0,
});

function result(api: number[], graphql: number[], failedApi = 0): LoadResult {
  return {
    engine: 'embedded',
    profile: 'p',
    executor: 'constant-vus',
    model: 'closed',
    workers: 1,
    startedAtMs: 0,
    durationMs: 10_000,
    scheduledMs: 10_000,
    totals: {
      ...tally(api.length + graphql.length, failedApi),
      iterations: api.length + graphql.length,
      droppedIterations: 0,
      interruptedIterations: 0,
      maxVus: 2,
    },
    all: { histogram: histogramOf([...api, ...graphql]) },
    byName: {
      api: { totals: tally(api.length, failedApi), method: 'GET', histogram: histogramOf(api) },
      graphql: { totals: tally(graphql.length, 0), method: 'POST', histogram: histogramOf(graphql) },
    },
    iterationDuration: {
      histogram: histogramOf([...api, ...graphql]),
      latency: { count: 2, minMs: 1, meanMs: 10, p50Ms: 10, p90Ms: 10, p95Ms: 10, p99Ms: 10, p999Ms: 10, maxMs: 10 },
    },
    series: [],
  };
}

const api = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
const gql = Array.from({ length: 100 }, (_, i) => 500 + i); // 500..599 ms

describe('k6 threshold expressions', () => {
  it('parses selectors with tag filters and expressions', () => {
    expect(parseSelector('http_req_duration{name:graphql, method:POST}')).toEqual({
      metric: 'http_req_duration',
      tags: { name: 'graphql', method: 'POST' },
      text: 'http_req_duration{name:graphql, method:POST}',
    });
    expect(parseExpr('p(99.9) <= 250')).toMatchObject({ aggregation: 'p(99.9)', op: '<=', value: 250 });
    expect(typeof parseExpr('p95<200')).toBe('string');
  });

  it('a threshold naming a metric, tag value or aggregation the profile cannot produce is a problem', () => {
    const problems = validateThresholds(
      {
        http_req_latency: ['p(95)<1'],
        'http_req_duration{name:nope}': ['p(95)<1'],
        http_req_failed: ['p(95)<1'],
        http_reqs: ['count>1'],
      },
      catalogFor([{ name: 'api', method: 'GET' }]),
    );
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/no such metric/);
    expect(problems.join('\n')).toMatch(/no request has name "nope"/);
    expect(problems.join('\n')).toMatch(/"p\(95\)" does not apply to a rate metric/);
  });
});

describe('threshold verdicts', () => {
  const r = result(api, gql, 5);

  it('percentiles come from the merged histogram of the selected tags, never averaged', () => {
    const [all, a, g] = thresholdVerdicts(r, {
      http_req_duration: ['p(50)<600'],
      'http_req_duration{name:api}': ['p(95)<100'],
      'http_req_duration{name:graphql}': ['p(95)<500'],
    });
    // Merged p50 of 1..100 ∪ 500..599 is 100 ms; the average of the two p50s would be ~300.
    expect(all!.observed).toBe('p(50)=100 ms');
    expect([all!.status, a!.status, g!.status]).toEqual(['pass', 'pass', 'fail']);
    expect(g!.observed).toMatch(/^p\(95\)=59\d ms$/);
  });

  it('rates, counts, avg/min/max/med', () => {
    const v = thresholdVerdicts(r, {
      http_req_failed: ['rate<0.01', 'rate<0.05'],
      http_reqs: ['count==200', 'rate>=20'],
      'http_req_duration{name:api}': ['avg<51', 'min>=1', 'max<101', 'med<=51'],
    });
    expect(v.map((x) => x.status)).toEqual(['fail', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(v[0]!.observed).toBe('rate=2.50% (5/200)');
  });

  it('a metric with no samples is no-data, never a pass', () => {
    const empty = result([], []);
    const [d, f] = thresholdVerdicts(empty, { http_req_duration: ['p(95)<1000'], http_req_failed: ['rate<0.5'] });
    expect(d!.status).toBe('no-data');
    expect(f!.status).toBe('no-data');
  });

  it('abortOnFail waits for its delay, then names the failing threshold', () => {
    const t = {
      'http_req_duration{name:graphql}': [{ threshold: 'p(95)<100', abortOnFail: true, delayAbortEval: 5000 }],
    };
    expect(abortReason(r, t, 1000)).toBeUndefined();
    expect(abortReason(r, t, 6000)).toMatch(/p\(95\)<100 failed .* with abortOnFail/);
  });

  it("Little's law: flags a closed-model result whose numbers cannot be true", () => {
    const ok = littlesLaw({ ...r, totals: { ...r.totals, iterations: 2000 } }, 2); // 200/s × 10 ms = 2
    expect(ok).toMatchObject({ ok: true });
    expect(ok!.ratio).toBeCloseTo(1);
    expect(littlesLaw({ ...r, totals: { ...r.totals, iterations: 500 } }, 2)!.ok).toBe(false);
    expect(littlesLaw({ ...r, model: 'open' }, 2)).toBeUndefined();
  });
});

describe('windowed thresholds', () => {
  /** 120 s of 10 requests a second on "api"; all of them fail from second `failFrom`; latency 10 ms, 400 ms while failing. */
  function run(failFrom = Infinity, seconds = 120): LoadResult {
    const r = result([10], [10]);
    const rows = Array.from({ length: seconds }, (_, t): [number, number, number, string] => [
      t,
      10,
      t >= failFrom ? 10 : 0,
      histogramOf(Array(10).fill(t >= failFrom ? 400 : 10)),
    ]);
    const failed = rows.reduce((n, x) => n + x[2], 0);
    return {
      ...r,
      durationMs: seconds * 1000,
      scheduledMs: seconds * 1000,
      byName: { api: { ...r.byName.api!, totals: tally(seconds * 10, failed) } },
      series: rows.map(([t, n, f]) => ({ t, requests: n, failed: f, errors: {}, vus: 1, dropped: 0 })),
      perSecond: { api: rows },
    };
  }
  const judge = (r: LoadResult, sel: string, expr: string) => thresholdVerdicts(r, { [sel]: [expr] })[0]!;

  it('100 % errors in the last 7 s of 120 s: 5.8 % over the run, but the worst 60 s window fails', () => {
    const r = run(113);
    expect(judge(r, 'http_req_failed', 'rate<0.1').status).toBe('pass');
    const v = judge(r, 'http_req_failed{window:1m}', 'rate<0.1');
    expect(v.status).toBe('fail');
    // Windows end each second; the first over 10 % holds 7 failing seconds of 60: +60–120 s.
    expect(v.observed).toBe('rate=11.67% in the worst 60 s window, +60–120 s');
    expect(v.window).toEqual({ fromS: 60, toS: 120 });
    expect(judge(r, 'http_req_failed', 'rate<0.1').window).toBeUndefined();
  });

  it('a latency percentile per window, from the per-second histograms', () => {
    const r = run(100);
    expect(judge(r, 'http_req_duration', 'p(95)<500').status).toBe('pass');
    const v = judge(r, 'http_req_duration{window:10s}', 'p(95)<100');
    expect(v.status).toBe('fail');
    expect(v.observed).toMatch(/^p\(95\)=40\d ms in the worst 10 s window, \+91–101 s$/);
  });

  it('a passing one names the worst window; a run shorter than the window is one window', () => {
    expect(judge(run(), 'http_req_failed{window:30s}', 'rate<0.1').observed).toBe(
      'rate=0.00% in the worst 30 s window, +0–30 s',
    );
    expect(judge(run(Infinity, 20), 'http_reqs{window:1m}', 'count>100')).toMatchObject({
      status: 'pass',
      observed: 'count=200 in the worst 20 s window, +0–20 s',
    });
  });

  it('no per-second data (an engine that keeps none), or no samples: no-data', () => {
    const r = { ...run(50), perSecond: undefined };
    expect(judge(r, 'http_req_failed{window:1m}', 'rate<0.1')).toMatchObject({ status: 'no-data' });
    expect(judge(run(), 'db_query_failed{window:1m}', 'rate<0.1')).toMatchObject({ status: 'no-data' });
  });

  it('abortOnFail stops at the first failing window', () => {
    const t = { 'http_req_failed{window:10s}': [{ threshold: 'rate<0.5', abortOnFail: true, delayAbortEval: 0 }] };
    expect(abortReason(run(), t, 60_000)).toBeUndefined();
    expect(abortReason(run(50), t, 60_000)).toMatch(/^threshold http_req_failed\{window:10s\} rate<0.5 failed/);
  });

  it('throughput floors judge whole windows of the schedule only: the trailing second of stragglers is no window (issue 30 item 7)', () => {
    // 60 s scheduled at 10/s; the graceful stop's stragglers land in second 60 (2 requests) and the
    // run measured 60.4 s. A window ending there would be +51–61 s with 92 requests: a false fail.
    const base = run(Infinity, 60);
    const rows = [...base.perSecond!.api!, [60, 2, 0, histogramOf([10, 10])] as [number, number, number, string]];
    const r: LoadResult = {
      ...base,
      durationMs: 60_400,
      series: [...base.series, { t: 60, requests: 2, failed: 0, errors: {}, vus: 1, dropped: 0 }],
      perSecond: { api: rows },
    };
    const floor = judge(r, 'http_reqs{window:10s}', 'count>95');
    expect(floor).toMatchObject({ status: 'pass', observed: 'count=100 in the worst 10 s window, +0–10 s' });
    expect(judge(r, 'http_reqs{window:10s}', 'rate>9.5').status).toBe('pass');
    // The same for ceilings: the straggler second's two requests, both cut off at the stop, are
    // no window of 100 % failures; they are in the run-wide rate.
    const cut = {
      ...r,
      perSecond: { api: [...base.perSecond!.api!, [60, 2, 2, histogramOf([10, 10])]] },
    } as LoadResult;
    expect(judge(cut, 'http_req_failed{window:10s}', 'rate<0.5').status).toBe('pass');
    // A real gap inside the schedule still fails the floor.
    const gap = run(Infinity, 60);
    gap.perSecond!.api![30] = [30, 0, 0, histogramOf([])];
    expect(judge(gap, 'http_reqs{window:10s}', 'count>95')).toMatchObject({ status: 'fail' });
  });

  it('a run stopped early: its cut-short last second is no window; less than one whole second is no-data', () => {
    const r = { ...run(Infinity, 7), scheduledMs: 12_000, durationMs: 6_980 };
    // Seconds 0–5 are whole; second 6 (0.98 s) is not.
    expect(judge(r, 'http_reqs{window:2s}', 'count>15')).toMatchObject({
      status: 'pass',
      observed: 'count=20.00 in the worst 2 s window, +0–2 s',
    });
    r.perSecond!.api![6] = [6, 1, 0, histogramOf([10])];
    expect(judge(r, 'http_reqs{window:2s}', 'count>15').status).toBe('pass');
    const short = { ...run(Infinity, 1), scheduledMs: 5_000, durationMs: 800 };
    expect(judge(short, 'http_reqs{window:1s}', 'count>0')).toMatchObject({
      status: 'no-data',
      detail: 'no samples of http_reqs{window:1s} in a whole second of the schedule (the load ran less than one)',
    });
  });

  it('a window must be whole seconds, on a metric with per-second data', () => {
    const catalog = catalogFor([{ name: 'api', method: 'GET' }]);
    expect(
      validateThresholds(
        { 'http_req_failed{window:1.5s}': ['rate<0.1'], 'iteration_duration{window:1m}': ['p(95)<1'] },
        catalog,
      ),
    ).toEqual([
      'threshold "http_req_failed{window:1.5s}": window "1.5s" is not a whole number of seconds of at least 1 s (e.g. 30s, 1m)',
      'threshold "iteration_duration{window:1m}": iteration_duration has no per-second data to window (http_*, db_*, redis_* and dropped_iterations do)',
    ]);
  });
});

describe('the default failure threshold (issue 30 items 2 and 13)', () => {
  it('each kind of request with no threshold on its failed rate gets rate<0.01, marked as a default', () => {
    expect(DEFAULT_FAILED_THRESHOLD).toBe('rate<0.01');
    expect(withDefaultFailureThresholds({ http_req_duration: ['p(95)<200'] }, ['http', 'postgres'])).toEqual({
      thresholds: {
        http_req_duration: ['p(95)<200'],
        http_req_failed: ['rate<0.01'],
        db_query_failed: ['rate<0.01'],
      },
      defaults: ['http_req_failed', 'db_query_failed'],
    });
    // The user's own threshold on the metric (tagged or windowed too) replaces the default.
    expect(
      withDefaultFailureThresholds({ 'http_req_failed{name:api}': ['rate<0.5'], redis_cmd_failed: ['rate<0.2'] }, [
        'http',
        'redis',
        'redis',
      ]).defaults,
    ).toEqual([]);
    expect(withDefaultFailureThresholds({}, []).defaults).toEqual([]);
  });

  it('a latency-only profile against a target that died: the default fails the run it used to pass', () => {
    // 500 requests, 385 refused at ~0.2 ms: a p(95) that looks better, not worse.
    const r = result(Array(500).fill(0.2), [], 0);
    r.byName.api!.totals = tally(500, 385);
    r.totals = { ...r.totals, ...tally(500, 385) };
    const { thresholds, defaults } = withDefaultFailureThresholds({ http_req_duration: ['p(95)<100'] }, ['http']);
    const [latency, failed] = thresholdVerdicts(r, thresholds, { defaults });
    expect(latency).toMatchObject({ status: 'pass' });
    expect(latency!.byDefault).toBeUndefined();
    expect(failed).toMatchObject({
      id: 'http_req_failed rate<0.01',
      status: 'fail',
      byDefault: true,
      observed: 'rate=77.00% (385/500)',
    });
    expect(failed!.detail).toMatch(/^a default: the profile sets no http_req_failed threshold/);
    // Without the default (the code as it was) nothing failed.
    expect(thresholdVerdicts(r, { http_req_duration: ['p(95)<100'] }).map((v) => v.status)).toEqual(['pass']);
  });
});

describe('abortOnFail holds its threshold failed (issue 30 item 4)', () => {
  const t = { http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: 1000 }] };

  it('the check that stops a run says which thresholds and their values', () => {
    const failing = result(api, gql, 5);
    expect(abortCheck(failing, t, 500)).toBeUndefined();
    expect(abortCheck(failing, t, 2000)).toEqual({
      reason: 'threshold http_req_failed rate<0.01 failed (rate=2.50% (5/200)) with abortOnFail',
      thresholds: [{ id: 'http_req_failed rate<0.01', value: 0.025, observed: 'rate=2.50% (5/200)' }],
    });
  });

  it('final data that would pass cannot undo it: failed, with its value at the abort and when', () => {
    // At the abort (+2 s) 5 of 200 failed; the final data hold 5 of 2 000 (0.25 %): a pass if re-judged.
    const recovered = result(Array(1900).fill(10), gql, 5);
    recovered.scheduledMs = 60_000;
    expect(thresholdVerdicts(recovered, t)[0]!.status).toBe('pass');
    const aborted: LoadResult = {
      ...recovered,
      thresholdAbort: {
        engine: 'gauntlet',
        atMs: 2000,
        thresholds: [{ id: 'http_req_failed rate<0.01', value: 0.025, observed: 'rate=2.50% (5/200)' }],
      },
    };
    const [v] = thresholdVerdicts(aborted, t);
    expect(v).toMatchObject({
      status: 'fail',
      measured: { value: 0.025, unit: 'ratio' },
      observed: 'rate=2.50% (5/200) when abortOnFail stopped the run at +2.0 s of 60 s scheduled',
    });
    expect(v!.detail).toBe('held failed: the rest of the schedule never ran; on the final data rate=0.25% (5/2000)');
  });

  it('on k6: held failed with k6’s value; failed even when k6 named no value', () => {
    const r = result(api, gql, 0);
    const k6 = (value?: number): LoadResult => ({
      ...r,
      thresholdAbort: {
        engine: 'k6',
        atMs: 3000,
        thresholds: [
          { id: 'http_req_failed rate<0.01', ...(value !== undefined ? { value, observed: 'rate=0.0300' } : {}) },
        ],
      },
    });
    expect(thresholdVerdicts(k6(0.03), t)[0]).toMatchObject({
      status: 'fail',
      measured: { value: 0.03 },
      observed: 'rate=0.0300 when abortOnFail stopped the run at +3.0 s of 10 s scheduled (k6’s judgement)',
    });
    expect(thresholdVerdicts(k6(), t)[0]).toMatchObject({ status: 'fail' });
    // A threshold that did not stop the run is judged on the data as usual.
    expect(thresholdVerdicts(k6(0.03), { http_req_duration: ['p(95)<1000'] })[0]!.status).toBe('pass');
  });
});

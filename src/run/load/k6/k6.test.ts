import { describe, expect, it } from 'vitest';
import { Profile } from '../../../config/profile.ts';
import { decode } from '../../../measure/histogram.ts';
import { K6Accumulator, netErrorOf, summaryThresholds } from './results.ts';
import { k6Options, k6Scenario } from './script.ts';
import { goDurationMs } from './engine.ts';

const point = (metric: string, ms: number, value: number, tags: Record<string, string> = {}) =>
  JSON.stringify({ metric, type: 'Point', data: { time: new Date(ms).toISOString(), value, tags } });

describe('k6 JSON output → LoadResult', () => {
  it('keeps every request in the histogram (a failed one at k6’s time), counts failures by class, buckets seconds', () => {
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const acc = new K6Accumulator(t0);
    const lines = [
      JSON.stringify({ type: 'Metric', data: { name: 'http_req_duration' }, metric: 'http_req_duration' }),
      ...Array.from({ length: 100 }, (_, i) =>
        point('http_req_duration', t0 + 10 * i, i + 1, { name: 'a', status: '200', method: 'GET' }),
      ),
      point('http_req_duration', t0 + 1500, 0, {
        name: 'a',
        status: '0',
        error: 'dial: connection refused',
        error_code: '1212',
      }),
      point('http_req_duration', t0 + 1600, 3, { name: 'b', status: '503', method: 'POST' }),
      point('vus', t0 + 1000, 7),
      point('dropped_iterations', t0 + 1700, 1),
      point('iterations', t0 + 1700, 1),
    ];
    // Fed in arbitrary chunks: a line split across chunks still parses.
    const text = `${lines.join('\n')}\n`;
    acc.feed(text.slice(0, 137));
    acc.feed(text.slice(137));
    const r = acc.result(
      {
        profile: 'p',
        executor: 'constant-vus',
        model: 'closed',
        scheduledMs: 2000,
        startedAtWallMs: t0,
        startedAtMs: 0,
      },
      { engine: 'k6', workers: 1 },
    );
    expect(r.totals.requests).toBe(102);
    expect(r.totals.failed).toBe(2);
    expect(r.totals.errors).toEqual({ refused: 1, http_5xx: 1 });
    // k6's own error text is kept per class, as the embedded engine keeps the socket's.
    expect(r.errorReasons).toEqual({ refused: 'dial: connection refused' });
    expect(r.byName.a!.latency!.p50Ms).toBeCloseTo(50, 0);
    expect(r.byName.a!.latency!.minMs).toBeCloseTo(0.001, 3); // the refused request, at k6's 0 ms
    expect(r.byName.a!.latency!.maxMs).toBeCloseTo(100, 0);
    expect(decode(r.all.histogram).totalCount).toBe(102); // the refused request is in the record too
    expect(r.byName.b!.method).toBe('POST');
    expect(r.totals.maxVus).toBe(7);
    expect(r.totals.droppedIterations).toBe(1);
    expect(r.series.map((s) => s.t)).toEqual([0, 1]);
    expect(r.durationMs).toBe(2000);
  });

  it('classifies k6 network errors', () => {
    expect(netErrorOf('request timeout', '1050')).toBe('timeout');
    expect(netErrorOf('dial: connection refused', '1212')).toBe('refused');
    expect(netErrorOf('read: connection reset by peer', '1220')).toBe('reset');
    expect(netErrorOf('unexpected EOF', '1000')).toBe('reset');
    expect(netErrorOf('tls: bad certificate', '1300')).toBe('tls');
    expect(
      netErrorOf(
        'Get "https://127.0.0.1:8443/": tls: failed to verify certificate: x509: certificate signed by unknown authority',
        '1311',
      ),
    ).toBe('tls');
    expect(netErrorOf('x509: certificate has expired or is not yet valid', undefined)).toBe('tls');
    expect(netErrorOf('something else went wrong', '1000')).toBe('other');
    expect(netErrorOf(undefined, undefined)).toBeUndefined();
  });

  it("reads k6's own threshold judgements ('ok', not --summary-export's inverted flag)", () => {
    const t = summaryThresholds({
      metrics: {
        http_req_duration: {
          type: 'trend',
          contains: 'time',
          values: { 'p(95)': 12.5 },
          thresholds: { 'p(95)<10': { ok: false } },
        },
        pages: { type: 'counter', values: { count: 40 }, thresholds: { 'count>10': { ok: true } } },
      },
    });
    expect(t).toEqual([
      { metric: 'http_req_duration', expr: 'p(95)<10', ok: false, observed: 'p(95)=12.50 ms' },
      { metric: 'pages', expr: 'count>10', ok: true, observed: 'count=40' },
    ]);
  });
});

describe('profile → k6 options', () => {
  it('maps every executor 1:1', () => {
    expect(k6Scenario({ executor: 'constant-vus', vus: 5, duration: 10_000 }, 30_000)).toEqual({
      executor: 'constant-vus',
      vus: 5,
      duration: '10000ms',
      gracefulStop: '30000ms',
    });
    expect(
      k6Scenario(
        {
          executor: 'ramping-arrival-rate',
          startRate: 1,
          stages: [{ duration: 2000, target: 50 }],
          timeUnit: 1000,
          preAllocatedVUs: 4,
        },
        0,
      ),
    ).toEqual({
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1000ms',
      stages: [{ duration: '2000ms', target: 50 }],
      preAllocatedVUs: 4,
      maxVUs: 50,
      gracefulStop: '0ms', // one second at the peak rate beats 4 × 10
    });
    expect(
      k6Scenario(
        { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: 1000, target: 3 }], gracefulRampDown: 5000 },
        1000,
      ),
    ).toMatchObject({ startVUs: 0, gracefulRampDown: '5000ms' });
  });

  it('passes thresholds through, abortOnFail included', () => {
    const p = Profile.parse({
      name: 'x',
      scenario: { executor: 'constant-vus', vus: 1, duration: '1s' },
      requests: [{ name: 'r', path: '/' }],
      thresholds: {
        'http_req_duration{name:r}': [
          'p(95)<200',
          { threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: '10s' },
        ],
      },
    });
    expect((k6Options(p).thresholds as Record<string, unknown>)['http_req_duration{name:r}']).toEqual([
      'p(95)<200',
      { threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: '10000ms' },
    ]);
  });

  it('reads Go durations', () => {
    expect(goDurationMs('1m30.5s')).toBe(90_500);
    expect(goDurationMs('32s')).toBe(32_000);
    expect(goDurationMs('1h0m0s')).toBe(3_600_000);
  });
});

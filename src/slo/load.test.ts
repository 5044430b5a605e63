import { describe, expect, it } from 'vitest';
import type { LoadResult, Verdict } from '../record/schema.ts';
import {
  answered,
  engineVerdicts,
  k6ThresholdVerdicts,
  loadErrorVerdict,
  loadRanVerdict,
  succeeded,
  withK6Judgement,
} from './load.ts';

type Entry = {
  kind?: 'http' | 'postgres' | 'redis';
  statuses?: Record<string, number>;
  errors?: Record<string, number>;
  requests: number;
};
/** A load whose failed requests are those with an error class (a 5xx is an answer and an error). */
const loadOf = (byName: Record<string, Entry>, extra: Partial<LoadResult> = {}): LoadResult => {
  const failedOf = (e: Entry) => Object.values(e.errors ?? {}).reduce((n, v) => n + v, 0);
  const entries = Object.entries(byName).map(([name, e]) => [
    name,
    {
      ...(e.kind ? { kind: e.kind } : {}),
      totals: { requests: e.requests, failed: failedOf(e), statuses: e.statuses ?? {}, errors: e.errors ?? {} },
    },
  ]);
  const errors: Record<string, number> = {};
  for (const e of Object.values(byName))
    for (const [k, v] of Object.entries(e.errors ?? {})) errors[k] = (errors[k] ?? 0) + v;
  return {
    byName: Object.fromEntries(entries),
    totals: {
      requests: Object.values(byName).reduce((n, e) => n + e.requests, 0),
      failed: Object.values(byName).reduce((n, e) => n + failedOf(e), 0),
      errors,
    },
    scheduledMs: 20_000,
    durationMs: 20_000,
    ...extra,
  } as unknown as LoadResult;
};

describe('the load ran its schedule and requests succeeded', () => {
  it('pass: some requests succeeded; the failed ones are the failure-rate threshold’s to judge', () => {
    const v = loadRanVerdict(loadOf({ home: { requests: 10, statuses: { 200: 4, 503: 6 }, errors: { http_5xx: 6 } } }));
    expect(v).toMatchObject({ id: 'load', status: 'pass', observed: '10 requests, 10 answered, 4 succeeded' });
    expect(succeeded(loadOf({ home: { requests: 10, statuses: { 200: 4, 503: 6 }, errors: { http_5xx: 6 } } }))).toBe(
      4,
    );
  });

  it('fail: every request answered with an HTTP 5xx — an answer, not a success (issue 30 item 2)', () => {
    const l = loadOf({ home: { requests: 10, statuses: { 500: 10 }, errors: { http_5xx: 10 } } });
    expect(answered(l)).toBe(10);
    expect(succeeded(l)).toBe(0);
    const v = loadRanVerdict(l);
    expect(v).toMatchObject({
      status: 'fail',
      observed: '10 requests, 10 answered, 0 succeeded: no request succeeded',
    });
    expect(v.detail).toBe('http_5xx: 10');
  });

  it('fail: requests sent, not one answered — the network errors are named with their reasons', () => {
    const v = loadRanVerdict(
      loadOf(
        { home: { requests: 5, errors: { refused: 5 } } },
        { errorReasons: { refused: 'connect ECONNREFUSED 127.0.0.1:9' } },
      ),
    );
    expect(v).toMatchObject({ status: 'fail', observed: '5 requests, 0 answered, 0 succeeded: no request succeeded' });
    expect(v.detail).toBe('refused: 5 (connect ECONNREFUSED 127.0.0.1:9)');
  });

  it('no-data: no request completed is never a pass', () => {
    expect(loadRanVerdict(loadOf({ home: { requests: 0 } }))).toMatchObject({ status: 'no-data' });
    expect(loadRanVerdict(loadOf({}))).toMatchObject({ status: 'no-data' });
  });

  it("a database's own error is an answer but not a success; a refused or reset connection is neither", () => {
    const l = loadOf({
      orders: { kind: 'postgres', requests: 6, errors: { db_syntax: 2, reset: 1 } },
      cache: { kind: 'redis', requests: 3, errors: { refused: 3 } },
    });
    expect(answered(l)).toBe(5); // 3 results + 2 SQL errors; the reset and Redis's 3 refused are not answers
    expect(succeeded(l)).toBe(3);
    expect(loadRanVerdict(l)).toMatchObject({ status: 'pass', observed: '9 requests, 5 answered, 3 succeeded' });
    const erring = loadOf({ orders: { kind: 'postgres', requests: 4, errors: { db_syntax: 4 } } });
    expect(loadRanVerdict(erring)).toMatchObject({ status: 'fail' });
    const down = loadOf({ orders: { kind: 'postgres', requests: 4, errors: { refused: 2, timeout: 2 } } });
    expect(loadRanVerdict(down)).toMatchObject({ status: 'fail' });
  });

  it('a run an abortOnFail threshold stopped never passes as a whole, on any engine (issue 30 item 4)', () => {
    for (const engine of ['gauntlet', 'k6']) {
      const v = loadRanVerdict(
        loadOf(
          { home: { requests: 10, statuses: { 200: 10 } } },
          { thresholdAbort: { engine, atMs: 1200, thresholds: [{ id: 'http_req_duration p(95)<5' }] } },
        ),
      );
      expect(v).toMatchObject({
        status: 'fail',
        observed: 'stopped at +1.2 s of 20 s scheduled: 10 requests, 10 answered, 10 succeeded',
      });
      expect(v.detail).toMatch(/http_req_duration p\(95\)<5\): a run stopped early never passes$/);
    }
  });

  it('a load that could not start is an error, never absent', () => {
    expect(loadErrorVerdict('the login was refused')).toMatchObject({
      id: 'load',
      status: 'error',
      detail: 'the login was refused',
    });
  });
});

describe("k6's own judgements", () => {
  const k6 = (thresholds: { metric: string; expr: string; ok: boolean; observed?: string }[], extra = {}) =>
    ({ byName: {}, totals: { requests: 1, errors: {} }, k6: { thresholds, ...extra } }) as unknown as LoadResult;

  it('pass, fail and no-data as k6 judged them', () => {
    const vs = k6ThresholdVerdicts(
      k6([
        { metric: 'http_req_duration', expr: 'p(95)<200', ok: true, observed: 'p(95)=120' },
        { metric: 'http_req_failed', expr: 'rate<0.01', ok: false, observed: 'rate=0.2' },
        { metric: 'checks', expr: 'rate>0.99', ok: true },
      ]),
    );
    expect(vs.map((v) => [v.id, v.status])).toEqual([
      ['http_req_duration p(95)<200', 'pass'],
      ['http_req_failed rate<0.01', 'fail'],
      ['checks rate>0.99', 'no-data'],
    ]);
    expect(vs[2]!.detail).toBe('k6 reported no value for checks');
  });

  it('merged runners: judged on every runner, and the verdict says so', () => {
    const [v] = k6ThresholdVerdicts(
      k6([{ metric: 'http_req_duration', expr: 'p(95)<200', ok: true, observed: 'p(95)=150' }], { bound: true }),
    );
    expect(v!.detail).toMatch(/judged on every runner/);
  });

  it("where k6's judgement differs from Gauntlet's, the detail says so; the status stays Gauntlet's", () => {
    const ours: Verdict[] = [
      {
        id: 'http_req_duration p(95)<200',
        kind: 'threshold',
        scope: 'load',
        source: 'threshold',
        objective: 'p(95)<200',
        status: 'fail',
        observed: 'p(95)=230',
      },
      {
        id: 'http_req_failed rate<0.01',
        kind: 'threshold',
        scope: 'load',
        source: 'threshold',
        objective: 'rate<0.01',
        status: 'pass',
        evidence: { samples: 100, from: '100 requests' },
      },
    ];
    const out = withK6Judgement(
      ours,
      k6([
        { metric: 'http_req_duration', expr: 'p(95) < 200', ok: true, observed: 'p(95)=180' },
        { metric: 'http_req_failed', expr: 'rate<0.01', ok: true },
      ]),
    );
    expect(out[0]!.status).toBe('fail');
    expect(out[0]!.detail).toMatch(/^k6 judged it passed \(p\(95\)=180\)/);
    expect(out[1]).toEqual(ours[1]); // agreeing: untouched
  });

  it('an engine that crashed fails the run and marks the results partial; a whole run adds nothing', () => {
    expect(engineVerdicts(k6([], { error: 'k6 exited with signal SIGKILL' }))).toEqual([
      expect.objectContaining({ id: 'engine', status: 'fail', observed: 'k6 exited with signal SIGKILL' }),
    ]);
    expect(engineVerdicts(k6([]))).toEqual([]);
  });
});

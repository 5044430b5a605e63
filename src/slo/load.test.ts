import { describe, expect, it } from 'vitest';
import type { LoadResult, Verdict } from '../record/schema.ts';
import {
  answered,
  engineVerdicts,
  k6ThresholdVerdicts,
  loadErrorVerdict,
  loadRanVerdict,
  withK6Judgement,
} from './load.ts';

type Entry = {
  kind?: 'http' | 'postgres' | 'redis';
  statuses?: Record<string, number>;
  errors?: Record<string, number>;
  requests: number;
};
const loadOf = (byName: Record<string, Entry>, extra: Partial<LoadResult> = {}): LoadResult => {
  const entries = Object.entries(byName).map(([name, e]) => [
    name,
    {
      ...(e.kind ? { kind: e.kind } : {}),
      totals: { requests: e.requests, failed: 0, statuses: e.statuses ?? {}, errors: e.errors ?? {} },
    },
  ]);
  const errors: Record<string, number> = {};
  for (const e of Object.values(byName))
    for (const [k, v] of Object.entries(e.errors ?? {})) errors[k] = (errors[k] ?? 0) + v;
  return {
    byName: Object.fromEntries(entries),
    totals: { requests: Object.values(byName).reduce((n, e) => n + e.requests, 0), errors },
    ...extra,
  } as unknown as LoadResult;
};

describe('the load ran and the target answered', () => {
  it('pass: some HTTP answers, whatever their status', () => {
    const v = loadRanVerdict(loadOf({ home: { requests: 10, statuses: { 200: 4, 503: 6 } } }));
    expect(v).toMatchObject({ id: 'load', status: 'pass', observed: '10 requests, 10 responses' });
  });

  it('fail: requests sent, not one answered — the network errors are named with their reasons', () => {
    const v = loadRanVerdict(
      loadOf(
        { home: { requests: 5, errors: { refused: 5 } } },
        { errorReasons: { refused: 'connect ECONNREFUSED 127.0.0.1:9' } },
      ),
    );
    expect(v).toMatchObject({ status: 'fail', observed: '5 requests, no response' });
    expect(v.detail).toBe('refused: 5 (connect ECONNREFUSED 127.0.0.1:9)');
  });

  it('no-data: no request completed is never a pass', () => {
    expect(loadRanVerdict(loadOf({ home: { requests: 0 } }))).toMatchObject({ status: 'no-data' });
    expect(loadRanVerdict(loadOf({}))).toMatchObject({ status: 'no-data' });
  });

  it("a database's own error is an answer; a refused or reset connection is not", () => {
    const l = loadOf({
      orders: { kind: 'postgres', requests: 6, errors: { db_syntax: 2, reset: 1 } },
      cache: { kind: 'redis', requests: 3, errors: { refused: 3 } },
    });
    expect(answered(l)).toBe(5); // 4 results + 2 SQL errors − 1 reset; Redis refused all 3
    expect(loadRanVerdict(l)).toMatchObject({ status: 'pass', observed: '9 requests, 5 responses' });
    const down = loadOf({ orders: { kind: 'postgres', requests: 4, errors: { refused: 2, timeout: 2 } } });
    expect(loadRanVerdict(down)).toMatchObject({ status: 'fail' });
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
        source: 'threshold',
        objective: 'p(95)<200',
        status: 'fail',
        observed: 'p(95)=230',
      },
      { id: 'http_req_failed rate<0.01', source: 'threshold', objective: 'rate<0.01', status: 'pass' },
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

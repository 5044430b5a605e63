// Mutation-testing companions to load.test.ts (docs/mutation.md): each pins a behaviour a
// surviving StrykerJS mutant showed no test was checking — exact texts, evidence and edge cases.
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

const LOAD_RAN = 'the load ran its schedule and the target answered requests successfully';

type Entry = {
  kind?: 'http' | 'postgres' | 'redis';
  statuses?: Record<string, number>;
  errors?: Record<string, number>;
  requests: number;
};
const loadOf = (byName: Record<string, Entry>, extra: Partial<LoadResult> = {}): LoadResult => {
  const failedOf = (e: Entry) => Object.values(e.errors ?? {}).reduce((n, v) => n + v, 0);
  const errors: Record<string, number> = {};
  for (const e of Object.values(byName))
    for (const [k, v] of Object.entries(e.errors ?? {})) errors[k] = (errors[k] ?? 0) + v;
  return {
    byName: Object.fromEntries(
      Object.entries(byName).map(([name, e]) => [
        name,
        {
          ...(e.kind ? { kind: e.kind } : {}),
          totals: { requests: e.requests, failed: failedOf(e), statuses: e.statuses ?? {}, errors: e.errors ?? {} },
        },
      ]),
    ),
    totals: {
      requests: Object.values(byName).reduce((n, e) => n + e.requests, 0),
      failed: Object.values(byName).reduce((n, e) => n + failedOf(e), 0),
      errors,
    },
    scheduledMs: 20_000,
    durationMs: 18_000,
    ...extra,
  } as unknown as LoadResult;
};

describe('load verdicts: exact texts and evidence', () => {
  it('an error verdict names the load and its objective', () => {
    expect(loadErrorVerdict('no target')).toEqual({
      id: 'load',
      kind: 'load',
      scope: 'load',
      source: 'slo',
      objective: LOAD_RAN,
      status: 'error',
      detail: 'no target',
    });
  });

  it('every network failure class is not an answer, for a database or Redis; anything else is', () => {
    for (const c of ['timeout', 'refused', 'reset', 'tls', 'other'])
      expect(answered(loadOf({ q: { kind: 'postgres', requests: 4, errors: { [c]: 3 } } }))).toBe(1);
    expect(answered(loadOf({ q: { kind: 'redis', requests: 4, errors: { redis_error: 3 } } }))).toBe(4);
    // Explicitly HTTP: the statuses count, not requests less network errors.
    expect(answered(loadOf({ h: { kind: 'http', requests: 9, statuses: { 200: 2, 500: 1 } } }))).toBe(3);
    expect(answered(loadOf({ h: { requests: 9, statuses: { 200: 2, 500: 1 } } }))).toBe(3);
    expect(
      answered(
        loadOf({
          h: { requests: 5, statuses: { 200: 5 } },
          q: { kind: 'postgres', requests: 4, errors: { timeout: 1 } },
        }),
      ),
    ).toBe(8);
  });

  it('succeeded never goes below zero', () => {
    const l = { totals: { requests: 3, failed: 5 } } as unknown as LoadResult;
    expect(succeeded(l)).toBe(0);
    expect(succeeded({ totals: { requests: 5, failed: 3 } } as unknown as LoadResult)).toBe(2);
  });

  it('a pass rests on every request of the load', () => {
    expect(loadRanVerdict(loadOf({ h: { requests: 4, statuses: { 200: 4 } } }))).toEqual({
      id: 'load',
      kind: 'load',
      scope: 'load',
      source: 'slo',
      objective: LOAD_RAN,
      status: 'pass',
      evidence: { samples: 4, coveredMs: 18_000, from: 'every request of the load' },
      observed: '4 requests, 4 answered, 4 succeeded',
    });
  });

  it('no-data says no request completed', () => {
    expect(loadRanVerdict(loadOf({}))).toMatchObject({ status: 'no-data', detail: 'no request completed' });
  });

  it('a run stopped by abortOnFail: every threshold named, or the engine’s silence said', () => {
    const stopped = (ids: string[]) =>
      loadRanVerdict(
        loadOf({ h: { requests: 10, statuses: { 200: 10 } } }, {
          thresholdAbort: { engine: 'gauntlet', atMs: 12_345, thresholds: ids.map((id) => ({ id })) },
        } as never),
      );
    const v = stopped(['a<1', 'b<2']);
    expect(v).toMatchObject({
      status: 'fail',
      evidence: { samples: 10, coveredMs: 18_000, from: 'every request of the load' },
      observed: 'stopped at +12.3 s of 20 s scheduled: 10 requests, 10 answered, 10 succeeded',
      detail: 'a threshold with abortOnFail stopped the run (a<1, b<2): a run stopped early never passes',
    });
    expect(stopped([]).detail).toBe(
      'a threshold with abortOnFail stopped the run (which one, the engine did not say): a run stopped early never passes',
    );
  });

  it('no success and no error class: failed, with no detail; several error classes are listed', () => {
    const none = loadRanVerdict({
      byName: {},
      totals: { requests: 3, failed: 3, errors: {} },
      scheduledMs: 1000,
      durationMs: 1000,
    } as unknown as LoadResult);
    expect(none.status).toBe('fail');
    expect(none.observed).toBe('3 requests, 0 answered, 0 succeeded: no request succeeded');
    expect(none).not.toHaveProperty('detail');
    const many = loadRanVerdict(
      loadOf({ h: { requests: 4, errors: { refused: 2, timeout: 2 } } }, {
        errorReasons: { timeout: 'after 5 s' },
      } as never),
    );
    expect(many.detail).toBe('refused: 2, timeout: 2 (after 5 s)');
    expect(many.evidence).toEqual({ samples: 4, coveredMs: 18_000, from: 'every request of the load' });
  });
});

describe("k6's judgements: exact texts", () => {
  const k6 = (thresholds: { metric: string; expr: string; ok: boolean; observed?: string }[], extra = {}) =>
    ({ byName: {}, totals: { requests: 7, errors: {} }, k6: { thresholds, ...extra } }) as unknown as LoadResult;

  it('the engine verdict', () => {
    expect(engineVerdicts(k6([], { error: 'boom' }))).toEqual([
      {
        id: 'engine',
        kind: 'engine',
        scope: 'load',
        source: 'consistency',
        objective: 'the load engine ran the whole profile',
        status: 'fail',
        observed: 'boom',
        detail: 'results below are partial',
      },
    ]);
    expect(engineVerdicts({} as LoadResult)).toEqual([]);
  });

  it('a k6 verdict: its head, evidence, a default marked, no detail unless merged', () => {
    const [v, w] = k6ThresholdVerdicts(
      k6([
        { metric: 'http_req_failed', expr: 'rate<0.01', ok: true, observed: 'rate=0.00' },
        { metric: 'http_req_duration', expr: 'p(95)<200', ok: false, observed: 'p(95)=300' },
      ]),
      ['http_req_failed'],
    );
    expect(v).toEqual({
      id: 'http_req_failed rate<0.01',
      kind: 'threshold',
      scope: 'load',
      source: 'threshold',
      objective: 'rate<0.01',
      byDefault: true,
      status: 'pass',
      evidence: { samples: 7, from: "k6's own judgement of http_req_failed" },
      observed: 'rate=0.00',
    });
    expect(w).not.toHaveProperty('byDefault');
    expect(w).not.toHaveProperty('detail');
    expect(w!.status).toBe('fail');
    const [m] = k6ThresholdVerdicts(k6([{ metric: 'x', expr: 'count>0', ok: true, observed: '1' }], { bound: true }));
    expect(m!.detail).toBe(
      'judged on every runner: passes only when each runner met it (merged percentiles are bounds)',
    );
    expect(k6ThresholdVerdicts({ totals: { requests: 1 } } as unknown as LoadResult)).toEqual([]);
    const [nd] = k6ThresholdVerdicts(k6([{ metric: 'checks', expr: 'rate>0.9', ok: true }]), ['checks']);
    expect(nd).toMatchObject({ status: 'no-data', byDefault: true, id: 'checks rate>0.9', objective: 'rate>0.9' });
  });

  const v = (id: string, status: Verdict['status'], detail?: string): Verdict =>
    ({
      id,
      kind: 'threshold',
      scope: 'load',
      source: 'threshold',
      objective: id,
      status,
      ...(detail ? { detail } : {}),
    }) as Verdict;

  it('a disagreement: k6 failed it, without its value; an existing detail is kept before the note', () => {
    const out = withK6Judgement(
      [v('http_req_duration  p(95)<200', 'pass', 'first'), v('b rate<1', 'pass')],
      k6([
        { metric: 'http_req_duration', expr: 'p(95)<200', ok: false },
        { metric: 'b', expr: 'rate<1', ok: false, observed: 'rate=1' },
      ]),
    );
    const note =
      'k6 judged it failed: k6 times failed requests as 0 ms and reports its own percentile estimate; Gauntlet judges the HDR histogram of answered requests';
    expect(out[0]!.detail).toBe(`first; ${note}`);
    expect(out[0]!.status).toBe('pass');
    expect(out[1]!.detail).toBe(
      'k6 judged it failed (rate=1): k6 times failed requests as 0 ms and reports its own percentile estimate; Gauntlet judges the HDR histogram of answered requests',
    );
  });

  it('no-data, unmatched and agreeing verdicts are untouched; no k6 judgements leaves the list as is', () => {
    const ours = [v('a count>0', 'no-data'), v('c count>0', 'fail'), v('d count>0', 'fail')];
    const out = withK6Judgement(
      ours,
      k6([
        { metric: 'a', expr: 'count>0', ok: true },
        { metric: 'd', expr: 'count>0', ok: false },
      ]),
    );
    expect(out).toEqual(ours);
    expect(withK6Judgement(ours, k6([]))).toBe(ours);
    expect(withK6Judgement(ours, {} as LoadResult)).toBe(ours);
  });
});

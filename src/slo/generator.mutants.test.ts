// Mutation-testing companions to generator.test.ts (docs/mutation.md): each pins a behaviour a
// surviving StrykerJS mutant showed no test was checking — exact texts, evidence, bounds and edges.
import { describe, expect, it } from 'vitest';
import type { LoadResult } from '../record/schema.ts';
import { openResult, scenario } from './generator.test-util.ts';
import { droppedVerdict, generatorVerdict, lagBoundMs, shardsVerdict } from './generator.ts';

/** 1000 sends: 980 on time, 20 late by `p99Ms` — the p(99) is `p99Ms`. */
const lagOf = (p99Ms: number) => [
  ...Array.from({ length: 980 }, () => 0.05),
  ...Array.from({ length: 20 }, () => p99Ms),
];

describe('the lag bound', () => {
  it('only upper limits (< and <=) on latency metrics other than min bound it', () => {
    expect(lagBoundMs({ http_req_duration: ['min<5'] })).toBe(10);
    expect(lagBoundMs({ http_req_duration: ['p(99)<=50'] })).toBe(5);
    expect(lagBoundMs({ http_req_duration: ['p(99)>=50', 'max==60'] })).toBe(10);
    expect(lagBoundMs({ http_req_duration: [{ threshold: 'avg<70', abortOnFail: false, delayAbortEval: 0 }] })).toBe(7);
    // Not a latency metric, an unparsable selector or expression: no limit.
    expect(lagBoundMs({ http_reqs: ['count<50'] })).toBe(10);
    expect(lagBoundMs({ 'http_req_duration{name': ['p(95)<50'] })).toBe(10);
    expect(lagBoundMs({ http_req_duration: ['p(95)<<50'] })).toBe(10);
    expect(lagBoundMs({ http_req_duration: ['p(95)<15'] })).toBe(2);
    expect(lagBoundMs({ http_req_duration: ['p(95)<30'] })).toBe(3);
  });
});

describe('the generator verdict: exact texts and edges', () => {
  it('absent without a lag measurement', () => {
    expect(generatorVerdict(openResult({}), {})).toBeUndefined();
    expect(generatorVerdict(openResult({ noGenerator: true }), {})).toBeUndefined();
  });

  it('no-data: its head and why', () => {
    expect(generatorVerdict(openResult({ lagMs: [] }), {})).toMatchObject({
      id: 'generator',
      kind: 'generator',
      status: 'no-data',
      objective: 'arrivals sent on schedule (send lag p(99) ≤ 10 ms, or too small to decide a latency verdict)',
      detail: 'no arrival was sent',
    });
  });

  it('a pass: objective, evidence and observed exact; a lag at the bound passes', () => {
    // Below 2048 µs the HDR histogram is exact: a p(99) of 2 ms against a bound of 2 ms.
    const th = { http_req_duration: ['p(95)<20'] };
    const v = generatorVerdict(openResult({ lagMs: lagOf(2) }), th);
    expect(v).toEqual({
      id: 'generator',
      kind: 'generator',
      scope: 'load',
      source: 'consistency',
      objective: 'arrivals sent on schedule (send lag p(99) ≤ 2 ms, or too small to decide a latency verdict)',
      status: 'pass',
      evidence: { samples: 1000, coveredMs: 10_000, from: 'the send lag of every arrival' },
      observed: 'send lag p(99) 2 ms, max 2 ms over 1000 arrivals',
    });
    const above = generatorVerdict(openResult({ lagMs: lagOf(2.5), latencyMs: [21] }), th);
    expect(above?.status).toBe('fail');
    expect(above?.observed).toBe('send lag p(99) 2.5 ms, max 2.5 ms over 1000 arrivals');
    expect(generatorVerdict(openResult({ lagMs: lagOf(0.5) }), {})?.observed).toBe(
      'send lag p(99) 0.5 ms, max 0.5 ms over 1000 arrivals',
    );
    // Below 1 ms, three decimals: 0.125, not 0.13.
    expect(generatorVerdict(openResult({ lagMs: lagOf(0.125) }), {})?.observed).toBe(
      'send lag p(99) 0.125 ms, max 0.125 ms over 1000 arrivals',
    );
    expect(generatorVerdict(openResult({ lagMs: lagOf(150) }), {})?.observed).toMatch(
      /^send lag p\(99\) 150 ms, max 150 ms over 1000 arrivals$/,
    );
  });

  it('fails with a plain reason when there is no latency threshold', () => {
    const v = generatorVerdict(openResult({ lagMs: lagOf(25) }), {});
    expect(v).toMatchObject({
      status: 'fail',
      evidence: { samples: 1000, coveredMs: 10_000, from: 'the send lag of every arrival' },
      detail:
        'the generator, not the target, fell behind: latency timed from the intended send includes this lag — add workers, or generate from more cores or machines',
    });
  });

  it('a lag past the bound with no verdict turning on it passes with the reason — unless arrivals were dropped', () => {
    const th = { http_req_duration: ['p(95)<5'] };
    const slow = openResult({ lagMs: lagOf(25), latencyMs: Array.from({ length: 40 }, () => 100) });
    expect(generatorVerdict(slow, th)).toMatchObject({
      status: 'pass',
      evidence: { samples: 1000, coveredMs: 10_000, from: 'the send lag of every arrival' },
      observed: 'send lag p(99) 25.01 ms, max 25 ms over 1000 arrivals',
      detail: 'above 2 ms, but no latency verdict turns on it: each would be the same with the lag taken off',
    });
    const dropping = openResult({
      lagMs: lagOf(25),
      latencyMs: Array.from({ length: 40 }, () => 100),
      requests: 40,
      dropped: 7,
    });
    expect(generatorVerdict(dropping, th)).toMatchObject({
      status: 'fail',
      detail:
        'the generator, not the target, fell behind: 7 arrivals were dropped by a loop behind its schedule — add workers, or generate from more cores or machines',
    });
  });

  it('names every verdict that turns on the lag, and none that would fail or pass anyway', () => {
    const r = openResult({ lagMs: lagOf(25), latencyMs: Array.from({ length: 100 }, () => 210) });
    const v = generatorVerdict(r, {
      http_req_duration: ['p(95)<200', 'max<=205', 'p(99)<100', 'avg<500'],
    });
    expect(v?.detail).toBe(
      'the generator, not the target, fell behind: http_req_duration p(95)<200 (p(95)=210 ms), http_req_duration max<=205 (max=210 ms) would pass without the lag — add workers, or generate from more cores or machines',
    );
    // A lag larger than the latency itself: the value without it is 0, not negative.
    const tiny = openResult({ lagMs: lagOf(300), latencyMs: Array.from({ length: 100 }, () => 210) });
    expect(generatorVerdict(tiny, { http_req_duration: ['p(95)<200'] })?.detail).toContain(
      'http_req_duration p(95)<200 (p(95)=210 ms) would pass without the lag',
    );
  });
});

describe('the dropped verdict: exact texts and advice', () => {
  it('absent for a closed model or with the profile’s own dropped_iterations threshold (tagged too)', () => {
    expect(droppedVerdict(openResult({ model: 'closed', dropped: 3 }), scenario, {})).toBeUndefined();
    expect(
      droppedVerdict(openResult({ dropped: 3 }), scenario, { 'dropped_iterations{scenario:a}': ['count<1'] }),
    ).toBeUndefined();
    // Another selector, even an unparsable one, leaves the judgement here.
    expect(droppedVerdict(openResult({ dropped: 3 }), scenario, { 'http_reqs{': ['count<1'] })?.status).toBe('fail');
  });

  it('pass and no-data, exact', () => {
    expect(droppedVerdict(openResult({ requests: 12 }), scenario, {})).toEqual({
      id: 'dropped_iterations',
      kind: 'dropped',
      scope: 'load',
      source: 'consistency',
      objective: 'every scheduled arrival was sent (dropped_iterations == 0)',
      status: 'pass',
      evidence: { samples: 12, coveredMs: 10_000, from: 'every scheduled arrival' },
      observed: '0 of 12 dropped',
    });
    expect(droppedVerdict(openResult({ latencyMs: [], requests: 0 }), scenario, {})).toMatchObject({
      status: 'no-data',
      detail: 'no arrival was scheduled',
    });
    // Dropped only: still offered, and failed.
    expect(droppedVerdict(openResult({ latencyMs: [], requests: 0, dropped: 2 }), scenario, {})).toMatchObject({
      status: 'fail',
      evidence: { samples: 2, coveredMs: 10_000, from: 'every scheduled arrival' },
      observed: '2 of 2 arrivals dropped (100.0%): no free connection',
    });
  });

  it('the whole detail; the executor’s maxVUs when the engine names no limit', () => {
    const v = droppedVerdict(openResult({ latencyMs: [3, 150], requests: 90, dropped: 10 }), scenario, {});
    // 500 req/s × 0.15 s = 75 connections; the limit is maxVUsOf(scenario) = 500, advice 1000.
    expect(v?.detail).toBe(
      "at 500 req/s with responses taking up to 0.15 s, Little's law needs ≈ 75 connections open at once; " +
        'the generator had 500 (maxVUs) — set scenario.maxVUs: 1000, or allow drops with a dropped_iterations threshold. ' +
        'The latency figures leave out the dropped arrivals, which a stalled target would have answered slowly.',
    );
    expect(v?.observed).toBe('10 of 100 arrivals dropped (10.0%): no free connection');
  });

  it('advice rounds 1.25 × the needed connections up: by 1 below 100, by 10 below 1000, by 100 above', () => {
    const advice = (slowMs: number, limit = 1) =>
      /maxVUs: (\d+),/.exec(
        droppedVerdict(openResult({ latencyMs: [slowMs], requests: 9, dropped: 1, limit }), scenario, {})!.detail!,
      )![1];
    expect(advice(100)).toBe('63'); // 50 needed → 62.5 → 63
    expect(advice(200)).toBe('130'); // 100 → 125 → 130
    expect(advice(170)).toBe('110'); // 85 → 106.25 → 110
    expect(advice(1700)).toBe('1100'); // 850 → 1062.5 → 1100
    expect(advice(1610)).toBe('1100'); // 805 → 1006.25 → 1100
    expect(advice(1500)).toBe('940'); // 750 → 937.5 → 940
    expect(advice(10, 40)).toBe('80'); // twice the limit when larger
    const d = droppedVerdict(openResult({ latencyMs: [1500], requests: 9, dropped: 1, limit: 3 }), scenario, {})!;
    expect(d.detail).toContain('responses taking up to 1.5 s');
    expect(d.detail).toContain('needs ≈ 750 connections');
  });

  it('no latency summary: the slowest response is taken as 0 s', () => {
    const r = openResult({ latencyMs: [], requests: 0, dropped: 4, limit: 6 });
    const v = droppedVerdict(r, scenario, {})!;
    expect(v.detail).toContain("responses taking up to 0 s, Little's law needs ≈ 0 connections");
    expect(v.detail).toContain('set scenario.maxVUs: 12,');
  });
});

describe('the shards verdict: exact texts', () => {
  const base = openResult({});
  const shard = (index: number, o: Record<string, unknown> = {}) => ({
    index,
    status: 'done' as const,
    requests: 10,
    failed: 0,
    ...o,
  });

  it('pass with its evidence; a single shard is named in the singular', () => {
    expect(shardsVerdict({ ...base, shards: [shard(0)] } as LoadResult)).toEqual({
      id: 'shards',
      kind: 'shards',
      scope: 'load',
      source: 'consistency',
      objective: 'every shard reported to the end of its schedule',
      status: 'pass',
      evidence: { samples: 1, from: "1 shard' reports" },
      observed: '1 of 1 shards',
    });
    expect(shardsVerdict({ ...base, shards: [shard(0), shard(1)] } as LoadResult)?.evidence).toEqual({
      samples: 2,
      from: "2 shards' reports",
    });
    expect(shardsVerdict({ ...base, shards: [] } as LoadResult)).toMatchObject({ detail: 'no shard ran' });
  });

  it('a start skew of exactly 1 s is on time; past it is late, with the whole detail', () => {
    expect(shardsVerdict({ ...base, shards: [shard(0, { startSkewMs: 1000 }), shard(1)] } as LoadResult)?.status).toBe(
      'pass',
    );
    const v = shardsVerdict({
      ...base,
      shards: [shard(0, { startSkewMs: 1001 }), shard(1, { startSkewMs: 1250 })],
    } as LoadResult)!;
    expect(v).toMatchObject({
      status: 'fail',
      evidence: { samples: 2, from: "2 shards' reports" },
      observed: '2 of 2 shards reported, but 2 started late: shard 0 by 1 s, shard 1 by 1.25 s',
      detail:
        'a shard ready only after the common start instant runs its share of the schedule late (its arrivals lag or drop): raise the environment’s kubernetes.shards.startDelay above the time its pods take to start',
    });
  });

  it('a lost shard outweighs a late one; no pod name and no reason are said plainly', () => {
    const v = shardsVerdict({
      ...base,
      shards: [shard(0, { startSkewMs: 5000 }), shard(1, { status: 'running', requests: 3 })],
    } as LoadResult)!;
    expect(v).toMatchObject({
      status: 'fail',
      evidence: { samples: 2, from: "2 shards' reports" },
      observed: '1 of 2 shards lost: shard 1 after 3 requests — it never reported its end',
      detail: 'the merged figures hold only what the lost shards had sent: part of the schedule never ran',
    });
    const two = shardsVerdict({
      ...base,
      shards: [
        shard(0, { status: 'lost', where: 'pod-a', lost: 'OOM' }),
        shard(1, { status: 'lost', requests: 4, lost: 'evicted' }),
      ],
    } as LoadResult)!;
    expect(two.observed).toBe(
      '2 of 2 shards lost: shard 0 (pod-a) after 10 requests — OOM; shard 1 after 4 requests — evicted',
    );
  });
});

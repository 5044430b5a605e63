import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../record/schema.ts';
import { compareRuns, compareVerdicts, incomparable, type Delta } from './compare.ts';

const limits = {
  latencyIncrease: 0.1,
  latencyFloorMs: 1,
  errorRateIncrease: 0.005,
  throughputDrop: 0.1,
  rtoIncrease: 0.25,
};

/** A seeded generator: the same "noise" every time the test runs. */
function rng(seed: number): () => number {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A 10 s run against a server of `baseMs` latency on a noisy machine: per-second percentiles with spikes. */
function run(
  baseMs: number,
  r: () => number,
  over: Partial<{ profile: string; engine: string; env: string }> = {},
): RunRecord {
  const series = Array.from({ length: 10 }, (_, t) => {
    const spike = r() < 0.15 ? 4 + r() * 8 : 0;
    const p95 = baseMs + 0.5 + r() * 1.5 + spike;
    const p99 = p95 + 0.5 + r() * 3 + spike;
    return {
      t,
      requests: 500,
      failed: 0,
      errors: {},
      p50Ms: baseMs + r() * 0.3,
      p95Ms: p95,
      p99Ms: p99,
      vus: 2,
      dropped: 0,
    };
  });
  const worst = (k: 'p95Ms' | 'p99Ms') => [...series.map((s) => s[k])].sort((a, b) => a - b)[k === 'p99Ms' ? 9 : 8]!;
  return {
    runId: 'x',
    command: 'load',
    status: 'passed',
    exitCode: 0,
    environment: { name: over.env ?? 'staging', baseUrl: 'http://127.0.0.1' },
    verdicts: [],
    load: {
      engine: over.engine ?? 'embedded',
      profile: over.profile ?? 'p',
      executor: 'constant-arrival-rate',
      model: 'open',
      workers: 2,
      startedAtMs: 0,
      durationMs: 10_000,
      scheduledMs: 10_000,
      totals: {
        requests: 5000,
        failed: 0,
        errors: {},
        statuses: { 200: 5000 },
        bytesIn: 0,
        bytesOut: 0,
        iterations: 5000,
        droppedIterations: 0,
        interruptedIterations: 0,
        maxVus: 2,
      },
      all: {
        histogram: '',
        latency: {
          count: 5000,
          minMs: baseMs,
          meanMs: baseMs + 1,
          p50Ms: baseMs + 0.2,
          p90Ms: baseMs + 1,
          p95Ms: worst('p95Ms'),
          p99Ms: worst('p99Ms'),
          p999Ms: worst('p99Ms') + 2,
          maxMs: worst('p99Ms') + 5,
        },
      },
      byName: {},
      iterationDuration: { histogram: '' },
      series,
    },
  } as unknown as RunRecord;
}

const latencyRegressed = (base: RunRecord, next: RunRecord) =>
  compareRuns(base, next, limits).deltas.some((d) => d.metric.startsWith('http_req_duration') && d.regression);

describe('latency regressions beyond run-to-run noise', () => {
  it('identical runs on a noisy machine pass at least 99 of 100 times (the relative limit alone flaps)', () => {
    const r = rng(42);
    let flagged = 0;
    let naive = 0;
    for (let i = 0; i < 100; i++) {
      const a = run(2, r);
      const b = run(2, r);
      if (latencyRegressed(a, b)) flagged++;
      if (b.load!.all.latency!.p99Ms > a.load!.all.latency!.p99Ms * 1.1) naive++;
    }
    expect(flagged).toBeLessThanOrEqual(1);
    expect(naive).toBeGreaterThan(20);
  });

  it('a 2 ms → 6 ms service fails every time', () => {
    const r = rng(7);
    for (let i = 0; i < 100; i++) expect(latencyRegressed(run(2, r), run(6, r))).toBe(true);
  });

  it('short runs (under 3 s) fall back to the relative limit and the floor', () => {
    const a = run(2, rng(1));
    const b = run(2.5, rng(1));
    a.load!.series = a.load!.series.slice(0, 2);
    b.load!.series = b.load!.series.slice(0, 2);
    const d = compareRuns(a, b, limits).deltas.find((x) => x.metric === 'http_req_duration p95')!;
    expect(d.limit).toBe('+10% and +1 ms at most');
  });
});

describe('comparable runs', () => {
  it('names every difference of profile, engine and environment', () => {
    const r = rng(3);
    expect(incomparable(run(2, r), run(2, r))).toEqual([]);
    expect(incomparable(run(2, r), run(2, r, { profile: 'q', engine: 'k6', env: 'prod' }))).toEqual([
      'environment: staging vs prod',
      'load profile: p vs q',
      'load engine: embedded vs k6',
    ]);
  });
});

describe('the comparison as verdicts', () => {
  const delta = (o: Partial<Delta>): Delta => ({
    metric: 'http_req_duration p(95)',
    base: 100,
    next: 104,
    unit: 'ms',
    limit: '+10% at most',
    regression: false,
    ...o,
  });
  it('pass: each judged metric within its limit, nothing newly failing; shown-only metrics are not verdicts', () => {
    const vs = compareVerdicts([delta({}), delta({ metric: 'http_reqs', limit: 'shown' })], [], 7);
    expect(vs.map((v) => [v.id, v.status])).toEqual([
      ['compare http_req_duration p(95)', 'pass'],
      ['compare verdicts', 'pass'],
    ]);
    expect(vs[1]!.observed).toBe('7 verdicts, none newly failing');
  });
  it('fail: a regression, or a verdict that passed before and fails now', () => {
    const vs = compareVerdicts([delta({ next: 150, regression: true })], ['rto'], 7);
    expect(vs.map((v) => v.status)).toEqual(['fail', 'fail']);
    expect(vs[1]!.observed).toBe('newly failing: rto');
  });
  it('no-data: two runs that share no metric are not a pass', () => {
    const vs = compareVerdicts([delta({ next: undefined })], [], 3);
    expect(vs[0]).toMatchObject({ id: 'compare metrics', status: 'no-data' });
  });
});

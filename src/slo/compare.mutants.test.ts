// Mutation-testing companions to compare.test.ts (docs/mutation.md): each pins a behaviour a
// surviving StrykerJS mutant showed no test was checking — exact limits, texts, evidence, bounds
// and edge cases, on records built by hand so every figure is known.
import { describe, expect, it } from 'vitest';
import { encode, newHistogram } from '../measure/histogram.ts';
import type { RunRecord, Verdict } from '../record/schema.ts';
import {
  type CompareLimits,
  change,
  compareVerdicts,
  type Delta,
  formatValue,
  incomparable,
  judgeCompare,
} from './compare.ts';

/** Limits whose products are exact in binary floating point, so a bound can be hit exactly. */
const L: CompareLimits = {
  latencyIncrease: 0.5,
  latencyFloorMs: 0.25,
  errorRateIncrease: 0.125,
  throughputDrop: 0.25,
  rtoIncrease: 0.5,
};

/** An HDR histogram (µs) of [value µs, count] pairs, encoded as a record holds it. Under 2 048 µs it is exact. */
const hist = (...values: [number, number][]): string => {
  const h = newHistogram();
  for (const [v, c] of values) h.recordValueWithCount(v, c);
  return encode(h);
};

type Summary = { p50Ms: number; p95Ms: number; p99Ms: number; count: number };
type Sec = Partial<Record<'p50Ms' | 'p95Ms' | 'p99Ms', number>>;

interface LoadShape {
  histogram?: string;
  latency?: Summary;
  requests?: number;
  failed?: number;
  durationMs?: number;
  series?: Sec[];
  byName?: Record<string, { histogram?: string; latency?: Summary; requests?: number; failed?: number }>;
  perSecond?: Record<string, ([number, number, number] | [number, number, number, string])[]>;
  profile?: string;
  engine?: string;
  executor?: string;
  core?: 'native' | 'js';
  /** null: none recorded. */
  identity?: { profileSha256?: string; scenario: string } | null;
  stoppedEarly?: string;
}

const totalsOf = (requests: number, failed: number) => ({
  requests,
  failed,
  errors: {},
  statuses: {},
  bytesIn: 0,
  bytesOut: 0,
});

function loadOf(s: LoadShape) {
  const requests = s.requests ?? 100;
  const failed = s.failed ?? 0;
  const block = (h: string | undefined, l: Summary | undefined) => ({
    histogram: h ?? '',
    ...(l ? { latency: l } : {}),
  });
  const byName = s.byName ?? { r: { histogram: s.histogram, latency: s.latency, requests, failed } };
  return {
    engine: s.engine ?? 'embedded',
    profile: s.profile ?? 'p',
    executor: s.executor ?? 'constant-arrival-rate',
    model: 'open',
    workers: 1,
    generator: { busiestWorkerElu: 0.1, core: s.core ?? 'native' },
    ...(s.identity === null
      ? {}
      : { identity: s.identity ?? { profileSha256: 'a'.repeat(64), scenario: '{"executor":"x","rate":10}' } }),
    startedAtMs: 0,
    durationMs: s.durationMs ?? 10_000,
    scheduledMs: s.durationMs ?? 10_000,
    totals: {
      ...totalsOf(requests, failed),
      iterations: requests,
      droppedIterations: 0,
      interruptedIterations: 0,
      maxVus: 1,
    },
    all: block(s.histogram, s.latency),
    byName: Object.fromEntries(
      Object.entries(byName).map(([name, e]) => [
        name,
        { ...block(e.histogram, e.latency), totals: totalsOf(e.requests ?? 10, e.failed ?? 0), method: 'GET' },
      ]),
    ),
    iterationDuration: { histogram: '' },
    series: (s.series ?? []).map((x, t) => ({ t, requests: 10, failed: 0, errors: {}, vus: 1, dropped: 0, ...x })),
    ...(s.perSecond ? { perSecond: s.perSecond } : {}),
    ...(s.stoppedEarly ? { stoppedEarly: s.stoppedEarly } : {}),
  };
}

interface ChaosShape {
  experiment: string;
  faults?: { id: string; rtoMs?: number }[];
  probes?: { name: string; total: number; ok: number; healthyMs?: number; coveredMs?: number }[];
  ledger?: { lost: number; acknowledged: number };
}

interface RunShape {
  /** null: no load in the record. */
  load?: LoadShape | null;
  capacity?: { profile?: string; sustainableRps: number; steps?: number[] };
  chaos?: ChaosShape[];
  verdicts?: Partial<Verdict>[];
  status?: RunRecord['status'];
  errors?: string[];
  command?: string;
  env?: string;
  schemaVersion?: number;
}

function run(s: RunShape = {}): RunRecord {
  return {
    schemaVersion: s.schemaVersion ?? 2,
    runId: 'x',
    command: s.command ?? 'load',
    status: s.status ?? 'passed',
    exitCode: 0,
    errors: s.errors ?? [],
    environment: { name: s.env ?? 'staging', baseUrl: 'http://127.0.0.1' },
    verdicts: (s.verdicts ?? []).map((v) => ({ kind: 'load', scope: 'load', source: 'slo', objective: 'o', ...v })),
    ...(s.load === null ? {} : { load: loadOf(s.load ?? {}) }),
    ...(s.capacity
      ? {
          capacity: {
            profile: s.capacity.profile ?? 'cap',
            sustainableRps: s.capacity.sustainableRps,
            limitedBy: 'latency',
            statement: '',
            objectives: [],
            steps: (s.capacity.steps ?? []).map((requests) => ({ requests })),
            trend: [],
          },
        }
      : {}),
    ...(s.chaos
      ? {
          chaos: s.chaos.map((c) => ({
            experiment: c.experiment,
            faults: (c.faults ?? []).map((f) => ({ ...f, label: f.id, target: 't', events: [], recovery: '' })),
            probes: (c.probes ?? []).map((p) => ({ kind: 'http', intervalMs: 500, samples: [], ...p })),
            ...(c.ledger
              ? {
                  ledger: {
                    probe: 'w',
                    acknowledged: c.ledger.acknowledged,
                    failed: 0,
                    indeterminate: 0,
                    recovered: 0,
                    lost: Array.from({ length: c.ledger.lost }, (_, seq) => ({ seq, atMs: seq })),
                    lostSpanMs: 0,
                    verified: 'read back',
                  },
                }
              : {}),
          })),
        }
      : {}),
  } as unknown as RunRecord;
}

const cmp = (base: RunRecord, next: RunRecord, limits: CompareLimits = L, force = false) =>
  judgeCompare(base, next, { limits, force });
const deltaOf = (base: RunRecord, next: RunRecord, metric: string, limits: CompareLimits = L) => {
  const d = cmp(base, next, limits).deltas.find((x) => x.metric === metric);
  if (!d) throw new Error(`no delta ${metric}`);
  return d;
};
const ev = (b: number, n: number, from = 'requests') => ({
  samples: b + n,
  from: `${b} ${from} in the base run and ${n} in the new`,
});
const WHOLE = 'whole run +50% and +0.25 ms at most';
const sum = (p50Ms: number, p95Ms: number, p99Ms: number, count = 100): Summary => ({ p50Ms, p95Ms, p99Ms, count });

describe('formatValue and change: the figures the report prints', () => {
  it('formats each unit, with the ms/s and decimals boundaries', () => {
    expect(formatValue(undefined, 'ms')).toBe('—');
    expect(formatValue(1000, 'ms')).toBe('1.00 s');
    expect(formatValue(1500, 'ms')).toBe('1.50 s');
    expect(formatValue(999, 'ms')).toBe('999 ms');
    expect(formatValue(100, 'ms')).toBe('100 ms');
    expect(formatValue(99.5, 'ms')).toBe('99.50 ms');
    expect(formatValue(12.5, '%')).toBe('12.50%');
    expect(formatValue(33.33, 'req/s')).toBe('33.3 req/s');
    expect(formatValue(3, 'writes')).toBe('3');
  });

  const d = (base: number | undefined, next: number | undefined, unit: Delta['unit']): Delta => ({
    metric: 'm',
    base,
    next,
    unit,
    limit: 'l',
    regression: false,
    evidence: { samples: 1, from: 'x' },
  });
  it('says the change in points for rates, as a share otherwise, and nothing when a side is missing', () => {
    expect(change(d(undefined, 1, 'ms'))).toBe('');
    expect(change(d(1, undefined, 'ms'))).toBe('');
    expect(change(d(1, 1.5, '%'))).toBe('+0.50 pt');
    expect(change(d(1.5, 1, '%'))).toBe('-0.50 pt');
    expect(change(d(1, 1, '%'))).toBe('+0.00 pt');
    expect(change(d(0, 0, 'ms'))).toBe('±0');
    expect(change(d(0, 5, 'writes'))).toBe('+5');
    expect(change(d(100, 110, 'ms'))).toBe('+10.0%');
    expect(change(d(100, 90, 'req/s'))).toBe('-10.0%');
    expect(change(d(100, 100, 'ms'))).toBe('+0.0%');
  });
});

describe('compareVerdicts: each delta as a verdict, exactly', () => {
  const evidence = { samples: 20, from: '10 requests in the base run and 10 in the new' };
  const d = (o: Partial<Delta>): Delta => ({
    metric: 'm p95',
    base: 100,
    next: 104,
    unit: 'ms',
    limit: '+10% at most',
    regression: false,
    evidence,
    ...o,
  });
  const head = { kind: 'compare', scope: 'compare', source: 'slo' };
  const summary = (verdicts: number) => ({
    ...head,
    id: 'compare verdicts',
    objective: 'no verdict that passed in the base run fails now',
    status: 'pass',
    evidence: { samples: verdicts, from: `${verdicts} verdicts of the new run` },
    observed: `${verdicts} verdicts, none newly failing`,
  });

  it('pass, fail, not comparable and unmeasured deltas; the verdicts summary last', () => {
    expect(
      compareVerdicts(
        [
          d({}),
          d({ metric: 'm p99', next: 150, regression: true, notComparable: 'rose' }),
          d({ metric: 'rate', unit: '%', base: 1, next: 2, notComparable: 'failures rose' }),
          d({ metric: 'late', unmeasured: 'the generator was late' }),
        ],
        [],
        4,
      ),
    ).toEqual([
      {
        ...head,
        id: 'compare m p95',
        objective: 'm p95: +10% at most',
        status: 'pass',
        evidence,
        observed: '100 ms → 104 ms (+4.0%)',
      },
      {
        ...head,
        id: 'compare m p99',
        objective: 'm p99: +10% at most',
        status: 'fail',
        evidence,
        observed: '100 ms → 150 ms (+50.0%)',
      },
      {
        ...head,
        id: 'compare rate',
        objective: 'rate: +10% at most',
        status: 'fail',
        evidence,
        observed: '1.00% → 2.00% (+1.00 pt)',
        detail: 'not comparable: failures rose',
      },
      {
        ...head,
        id: 'compare late',
        objective: 'late: +10% at most',
        status: 'no-data',
        observed: '100 ms → 104 ms (+4.0%)',
        detail: 'the generator was late',
      },
      summary(4),
    ]);
  });

  it('a one-sided or shown delta is no verdict; shown deltas alone are not "no metric shared"', () => {
    expect(compareVerdicts([d({ base: undefined }), d({ next: undefined }), d({ limit: 'shown' })], [], 2)).toEqual([
      summary(2),
    ]);
    expect(compareVerdicts([d({ limit: 'shown' })], [], 2)).toEqual([summary(2)]);
  });

  it('no metric at all, or only one-sided ones: no-data first, then the verdicts summary', () => {
    const none = {
      ...head,
      id: 'compare metrics',
      objective: 'a metric both runs measured',
      status: 'no-data',
      detail: 'the two runs share no load, capacity or chaos metric',
    };
    expect(compareVerdicts([], [], 0)).toEqual([
      none,
      { ...summary(0), status: 'no-data', detail: 'no sample: 0 verdicts of the new run' },
    ]);
    expect(compareVerdicts([d({ next: undefined })], [], 1)).toEqual([none, summary(1)]);
    expect(compareVerdicts([d({ base: undefined }), d({ next: undefined })], [], 1)).toEqual([none, summary(1)]);
  });

  it('newly failing verdicts are named, comma-separated, with the new run’s verdicts as evidence', () => {
    expect(compareVerdicts([d({})], ['a', 'b'], 5)).toEqual([
      expect.objectContaining({ id: 'compare m p95', status: 'pass' }),
      {
        ...head,
        id: 'compare verdicts',
        objective: 'no verdict that passed in the base run fails now',
        status: 'fail',
        evidence: { samples: 5, from: '5 verdicts of the new run' },
        observed: 'newly failing: a, b',
      },
    ]);
  });
});

describe('incomparable: every difference of identity, named', () => {
  it('command, load profile, executor and capacity profile', () => {
    expect(
      incomparable(
        run({ capacity: { sustainableRps: 1, profile: 'c1' } }),
        run({
          command: 'capacity',
          load: { profile: 'q', executor: 'ramping' },
          capacity: { sustainableRps: 1, profile: 'c2' },
        }),
      ),
    ).toEqual([
      'command: load vs capacity',
      'load profile: p vs q',
      'executor: constant-arrival-rate vs ramping',
      'capacity profile: c1 vs c2',
    ]);
  });

  it('record version and profile hash (its first 12 characters); a load without a generator has no socket loop', () => {
    const sha = (c: string) => ({ identity: { profileSha256: `${c.repeat(12)}${'f'.repeat(52)}`, scenario: '{}' } });
    expect(incomparable(run({ schemaVersion: 1, load: sha('a') }), run({ load: sha('b') }))).toEqual([
      'record version: 1 vs 2',
      'profile SHA-256: aaaaaaaaaaaa vs bbbbbbbbbbbb',
    ]);
    const noGenerator = run();
    delete (noGenerator.load as { generator?: unknown }).generator;
    expect(incomparable(noGenerator, run())).toEqual(['socket loop: (none) vs native']);
    expect(incomparable(run(), noGenerator)).toEqual(['socket loop: native vs (none)']);
  });

  it('a side that has none is "(none)"; without a load on one side there is no scenario to compare', () => {
    expect(incomparable(run({ load: null }), run())).toEqual([
      'load profile: (none) vs p',
      'load engine: (none) vs embedded',
      'socket loop: (none) vs native',
      'executor: (none) vs constant-arrival-rate',
    ]);
    expect(incomparable(run(), run({ load: null }))).toEqual([
      'load profile: p vs (none)',
      'load engine: embedded vs (none)',
      'socket loop: native vs (none)',
      'executor: constant-arrival-rate vs (none)',
    ]);
  });

  it('the profile hash is compared only when both runs recorded one (its first 12 characters)', () => {
    const scenario = '{"rate":10}';
    expect(
      incomparable(
        run({ load: { identity: { scenario } } }),
        run({ load: { identity: { scenario, profileSha256: 'b'.repeat(64) } } }),
      ),
    ).toEqual([]);
    expect(
      incomparable(
        run({ load: { identity: { scenario, profileSha256: 'b'.repeat(64) } } }),
        run({ load: { identity: { scenario } } }),
      ),
    ).toEqual([]);
    expect(
      incomparable(
        run({ load: { identity: { scenario, profileSha256: `${'c'.repeat(12)}x` } } }),
        run({ load: { identity: { scenario, profileSha256: `${'c'.repeat(12)}y` } } }),
      ),
    ).toEqual([]);
  });

  it('a scenario recorded by one run only', () => {
    expect(incomparable(run(), run({ load: { identity: null } }))).toEqual(['scenario: recorded vs (not recorded)']);
    expect(incomparable(run({ load: { identity: null } }), run())).toEqual(['scenario: (not recorded) vs recorded']);
    expect(incomparable(run({ load: { identity: null } }), run({ load: { identity: null } }))).toEqual([]);
  });

  it('scenario keys: a missing one is "(none)", strings as they are, the rest as JSON; unreadable JSON whole', () => {
    const withScenario = (scenario: string) => run({ load: { identity: { profileSha256: 'a'.repeat(64), scenario } } });
    expect(
      incomparable(
        withScenario('{"executor":"x","vus":{"max":2},"only":1}'),
        withScenario('{"executor":"y","vus":{"max":3},"extra":"e"}'),
      ),
    ).toEqual([
      'scenario executor: x vs y',
      'scenario vus: {"max":2} vs {"max":3}',
      'scenario only: 1 vs (none)',
      'scenario extra: (none) vs e',
    ]);
    expect(incomparable(withScenario('{"a":1}'), withScenario('{bad'))).toEqual(['scenario: {"a":1} vs {bad']);
    expect(incomparable(withScenario('{bad'), withScenario('{"a":1}'))).toEqual(['scenario: {bad vs {"a":1}']);
  });

  it('an aborted or errored run is no measurement, with its first error when it has one; a base run that stopped early neither', () => {
    expect(incomparable(run(), run({ status: 'error', errors: ['boom', 'then'] }))).toEqual([
      'new run: error (boom), not a finished measurement',
    ]);
    expect(incomparable(run(), run({ status: 'aborted' }))).toEqual(['new run: aborted, not a finished measurement']);
    expect(incomparable(run({ load: { stoppedEarly: 'target down' } }), run())).toEqual([
      'base run: its load stopped early (target down), not a finished measurement',
    ]);
    // The new run stopping early is a measurement of what happened: judged, not refused.
    expect(incomparable(run(), run({ load: { stoppedEarly: 'target down' } }))).toEqual([]);
    // Aborted and stopped early: one reason.
    expect(incomparable(run({ status: 'aborted', load: { stoppedEarly: 'x' } }), run())).toEqual([
      'base run: aborted, not a finished measurement',
    ]);
    expect(incomparable(run({ status: 'failed' as RunRecord['status'] }), run())).toEqual([]);
  });
});

describe('judgeCompare: refusal, the rows and what changed', () => {
  it('refused: differences and no force judge nothing', () => {
    expect(cmp(run(), run({ env: 'prod' }))).toEqual({
      differences: ['environment: staging vs prod'],
      refused: true,
      deltas: [],
      newFailures: [],
      fixed: [],
      verdicts: [],
    });
    expect(cmp(run(), run({ env: 'prod' }), L, true).refused).toBe(false);
    expect(cmp(run(), run()).differences).toEqual([]);
  });

  it('the rows of a load run with one request name, exactly (no per-name rows, no capacity or chaos rows)', () => {
    const base = run({ load: { latency: sum(1, 2, 3), requests: 100, failed: 0, durationMs: 10_000 } });
    const next = run({ load: { latency: sum(1, 2, 3), requests: 80, failed: 0, durationMs: 10_000 } });
    const e = ev(100, 80);
    expect(cmp(base, next).deltas).toEqual([
      { metric: 'http_req_duration p50', unit: 'ms', base: 1, next: 1, evidence: e, limit: 'shown', regression: false },
      { metric: 'http_req_duration p95', unit: 'ms', base: 2, next: 2, evidence: e, limit: WHOLE, regression: false },
      { metric: 'http_req_duration p99', unit: 'ms', base: 3, next: 3, evidence: e, limit: WHOLE, regression: false },
      {
        metric: 'http_req_failed rate',
        unit: '%',
        base: 0,
        next: 0,
        evidence: e,
        limit: '+12.50 pt at most',
        regression: false,
      },
      {
        metric: 'throughput (answered without failure)',
        unit: 'req/s',
        base: 10,
        next: 8,
        evidence: e,
        limit: '−25% at most',
        regression: false,
      },
    ]);
  });

  it('new failures and fixed verdicts, matched by id', () => {
    const base = run({
      verdicts: [
        { id: 'a', status: 'pass' },
        { id: 'b', status: 'fail' },
        { id: 'c', status: 'pass' },
        { id: 'e', status: 'no-data' },
        { id: 'g', status: 'pass' },
        { id: 'h', status: 'fail' },
      ],
    });
    const next = run({
      verdicts: [
        { id: 'a', status: 'fail' },
        { id: 'b', status: 'pass' },
        { id: 'c', status: 'pass' },
        { id: 'd', status: 'pass' },
        { id: 'e', status: 'pass' },
        { id: 'f', status: 'fail' },
        { id: 'g', status: 'no-data' },
        { id: 'h', status: 'fail' },
      ],
    });
    const j = cmp(base, next);
    expect(j.newFailures).toEqual(['a', 'g']);
    expect(j.fixed).toEqual(['b', 'e']);
    expect(j.verdicts.at(-1)).toMatchObject({
      status: 'fail',
      observed: 'newly failing: a, g',
      evidence: { samples: 8, from: '8 verdicts of the new run' },
    });
  });

  it('a metric only one run has is shown, never judged (its judge would have nothing to judge)', () => {
    const j = cmp(run({ capacity: { sustainableRps: 50, steps: [10, 20] } }), run(), L, true);
    expect(j.deltas.find((d) => d.metric === 'capacity')).toEqual({
      metric: 'capacity',
      unit: 'req/s',
      base: 50,
      next: undefined,
      evidence: ev(30, 0, 'requests over the capacity steps'),
      limit: 'only one run has it',
      regression: false,
    });
    expect(j.verdicts.map((v) => v.id)).not.toContain('compare capacity');
    // Neither has it: no row.
    expect(cmp(run(), run()).deltas.map((d) => d.metric)).not.toContain('capacity');
  });
});

describe('latency: the whole-run tail alone (no per-second series, no histogram)', () => {
  const p95 = (b: number, n: number, limits: CompareLimits = L) =>
    deltaOf(
      run({ load: { latency: sum(1, b, b) } }),
      run({ load: { latency: sum(1, n, n) } }),
      'http_req_duration p95',
      limits,
    );

  it('beyond the relative limit: exactly at it passes, just past it fails', () => {
    // 10 ms: max(10 × 1.5, 10 + 0.25) = 15.
    expect(p95(10, 15)).toMatchObject({ regression: false, limit: WHOLE });
    expect(p95(10, 15.01).regression).toBe(true);
  });

  it('beyond the floor: a small latency must grow by the floor (max of the two, not the min)', () => {
    const limits = { ...L, latencyFloorMs: 2 };
    // 1 ms: max(1.5, 3) = 3.
    expect(p95(1, 2.9, limits)).toMatchObject({ regression: false, limit: 'whole run +50% and +2 ms at most' });
    expect(p95(1, 3, limits).regression).toBe(false);
    expect(p95(1, 3.01, limits).regression).toBe(true);
  });

  it('the floor is 1 ms when the limits name none', () => {
    const { latencyFloorMs: _, ...noFloor } = L;
    expect(p95(1, 1.9, noFloor)).toMatchObject({ regression: false, limit: 'whole run +50% and +1 ms at most' });
    expect(p95(1, 2.01, noFloor).regression).toBe(true);
  });

  it('the limit names the share rounded to whole percent', () => {
    expect(p95(10, 10, { ...L, latencyIncrease: 0.125 }).limit).toBe('whole run +13% and +0.25 ms at most');
  });
});

describe('latency: the tail in seconds over the threshold (per-second series known)', () => {
  // The whole-run summary says 10 → 20 ms (threshold max(15, 10.25) = 15); the seconds decide.
  const judged = (bs: number[], ns: number[], metric = 'http_req_duration p95') =>
    deltaOf(
      run({ load: { latency: sum(1, 10, 10), series: bs.map((p95Ms) => ({ p95Ms, p99Ms: p95Ms })) } }),
      run({ load: { latency: sum(1, 20, 20), series: ns.map((p95Ms) => ({ p95Ms, p99Ms: p95Ms })) } }),
      metric,
    );

  it('no more seconds over the threshold than noise: no regression, the counts and noise in the limit', () => {
    // Base 1 of 4 over 15 ms, new 3 of 7: se = √(0.25·0.75/4 + (3/7)(4/7)/7) = 0.2861, noise 85.8 pt; a 17.9 pt rise.
    const d = judged([10, 10, 16, 10], [16, 16, 16, 10, 10, 10, 10]);
    expect(d.regression).toBe(false);
    expect(d.limit).toBe(
      `${WHOLE}, in more seconds than noise: seconds over 15.00 ms 1 of 4 → 3 of 7 (noise 85.8 pt); median of seconds 10.00 → 10.00 ms, +50% and +0.25 ms at most`,
    );
  });

  it('a second exactly at the threshold is not over it', () => {
    const d = judged([10, 10, 10, 10, 10, 10, 10, 15], [15, 15, 15, 15, 15, 15, 15, 15]);
    expect(d.limit).toContain('seconds over 15.00 ms 0 of 8 → 0 of 8 (noise 0.0 pt)');
    expect(d.regression).toBe(false);
  });

  it('all seconds over it, none before: the tail regressed', () => {
    const d = judged([10, 10, 10], [16, 16, 16]);
    expect(d.limit).toContain('seconds over 15.00 ms 0 of 3 → 3 of 3 (noise 0.0 pt)');
    expect(d.regression).toBe(true);
  });

  it('series entries that lack the percentile are left out', () => {
    const d = deltaOf(
      run({ load: { latency: sum(1, 10, 10), series: [{ p95Ms: 10 }, {}, { p95Ms: 10 }, { p95Ms: 10 }] } }),
      run({ load: { latency: sum(1, 20, 20), series: [{ p95Ms: 16 }, { p95Ms: 16 }, { p95Ms: 16 }, { p50Ms: 1 }] } }),
      'http_req_duration p95',
    );
    expect(d.limit).toContain('0 of 3 → 3 of 3');
  });

  it('3 seconds in each run are enough to judge by them; 2 in either are not', () => {
    expect(judged([10, 10, 10], [16, 16, 16]).limit).toContain('median of seconds');
    expect(judged([10, 10], [16, 16, 16]).limit).toBe(WHOLE);
    expect(judged([10, 10, 10], [16, 16]).limit).toBe(WHOLE);
  });
});

describe('latency: the body, the median of the per-second values beyond noise', () => {
  // Whole-run values equal: only the body can regress.
  const body = (bs: number[], ns: number[], limits: CompareLimits = L) =>
    deltaOf(
      run({ load: { latency: sum(1, 10, 10), series: bs.map((p95Ms) => ({ p95Ms })) } }),
      run({ load: { latency: sum(1, 10, 10), series: ns.map((p95Ms) => ({ p95Ms })) } }),
      'http_req_duration p95',
      limits,
    );

  it('the median of an even count is the mean of the middle two, of the sorted seconds', () => {
    // Base [14, 10, 12, 11] → 11.5; new [20, 16, 17, 18] → 17.5; MADs 1 and 1 → noise 3·√2·1.4826·1.2533/2.
    const d = body([14, 10, 12, 11], [20, 16, 17, 18]);
    expect(d.limit).toBe(`${WHOLE}; median of seconds 11.50 → 17.50 ms, +50% and +3.94 ms at most`);
    expect(d.regression).toBe(true);
  });

  it('the median of an odd count is the middle one', () => {
    const d = body([30, 10, 20], [20, 40, 30, 10, 50]);
    expect(d.limit).toContain('median of seconds 20.00 → 30.00 ms');
  });

  it('exactly the relative limit is not past it', () => {
    // 10 → 15 is exactly +50%: not past it, though 5 ms is past the floor and there is no noise.
    expect(body([10, 10, 10], [15, 15, 15]).regression).toBe(false);
    expect(body([10, 10, 10], [15.5, 15.5, 15.5]).regression).toBe(true);
  });

  it('exactly the floor is not past it (nor is anything under the noise)', () => {
    const limits = { ...L, latencyIncrease: 0, latencyFloorMs: 1 };
    expect(body([10, 10, 10], [11, 11, 11], limits)).toMatchObject({
      regression: false,
      limit: 'whole run +0% and +1 ms at most; median of seconds 10.00 → 11.00 ms, +0% and +1.00 ms at most',
    });
    expect(body([10, 10, 10], [11.5, 11.5, 11.5], limits).regression).toBe(true);
    // Noise 3·1.4826·1.2533·2/√3 ≈ 6.44 ms over a shift of 4: not past it.
    expect(body([8, 10, 12], [14, 14, 14], limits)).toMatchObject({
      regression: false,
      limit: expect.stringContaining('median of seconds 10.00 → 14.00 ms, +0% and +6.44 ms at most'),
    });
  });
});

describe('latency: the tail in requests over the threshold (histograms, no per-second series)', () => {
  // Base: 100 requests at 1 ms (p95 = p99 = 1 ms, threshold max(1.5, 1.25) = 1.5 ms).
  const baseHist = hist([1000, 100]);

  it('the share of requests above it, beyond noise over the runs’ seconds; p95 and p99 each count afresh', () => {
    // New: 40 at 1.5 ms (not above: the bucket is at the threshold), 60 at 2 ms: 60 % above.
    const j = cmp(
      run({ load: { histogram: baseHist, durationMs: 10_000 } }),
      run({ load: { histogram: hist([1500, 40], [2000, 60]), durationMs: 10_400 } }),
    );
    const p = (n: number) => j.deltas.find((d) => d.metric === `http_req_duration p${n}`)!;
    // se = √(0 + 0.6·0.4/10) → noise 46.48 pt; 60 > 46.48.
    const text = `${WHOLE}, beyond noise: requests over 1.50 ms 0.00% → 60.00% (noise 46.48 pt over 10 vs 10 s)`;
    expect(p(95)).toMatchObject({ base: 1, next: 2, regression: true, limit: text });
    expect(p(99)).toMatchObject({ base: 1, next: 2, regression: true, limit: text });
    expect(p(50)).toMatchObject({ base: 1, next: 2, limit: 'shown', regression: false });
  });

  it('fewer requests above than noise over few seconds: not a regression; a run of under a second counts as one', () => {
    const j = cmp(
      run({ load: { histogram: hist([1000, 90], [1100, 10]), durationMs: 2_000 } }),
      run({ load: { histogram: hist([1000, 80], [2000, 20]), durationMs: 0 } }),
    );
    const d = j.deltas.find((x) => x.metric === 'http_req_duration p95')!;
    // Base p95 1.1 ms → threshold 1.65: 0 % → 20 %, se = √(0.2·0.8/1) = 0.4 → 120 pt.
    expect(d).toMatchObject({
      regression: false,
      limit: `${WHOLE}, beyond noise: requests over 1.65 ms 0.00% → 20.00% (noise 120.00 pt over 2 vs 1 s)`,
    });
  });

  it('noise from both runs’ shares: a base share above the threshold counts too', () => {
    // Base p95 = 1 ms (threshold 1.5); 4 % of the base above it (at 1.6 ms, p99); new 50 % above.
    const d = deltaOf(
      run({ load: { histogram: hist([1000, 96], [1600, 4]), durationMs: 20_000 } }),
      run({ load: { histogram: hist([1000, 50], [1800, 50]), durationMs: 10_000 } }),
      'http_req_duration p95',
    );
    // se = √(0.04·0.96/20 + 0.25/10) = 0.16407 → 49.22 pt; a 46 pt rise is not beyond it.
    expect(d).toMatchObject({
      regression: false,
      limit: `${WHOLE}, beyond noise: requests over 1.50 ms 4.00% → 50.00% (noise 49.22 pt over 20 vs 10 s)`,
    });
  });

  it('an empty, unreadable or missing histogram: the summary’s figures instead', () => {
    const base = run({ load: { histogram: hist(), latency: sum(1, 2, 3) } });
    for (const histogram of ['', 'not an encoded histogram', hist()]) {
      const next = run({ load: { histogram, latency: sum(1, 4, 5) } });
      expect(deltaOf(base, next, 'http_req_duration p95')).toMatchObject({
        base: 2,
        next: 4,
        limit: WHOLE,
        regression: true,
      });
    }
  });

  it('within the threshold, the histograms are not read: the whole-run limit alone', () => {
    const d = deltaOf(
      run({ load: { histogram: baseHist } }),
      run({ load: { histogram: hist([1000, 50], [1500, 50]) } }),
      'http_req_duration p99',
    );
    expect(d).toMatchObject({ base: 1, next: 1.5, limit: WHOLE, regression: false });
  });

  it('a histogram on one side only: the whole-run values alone', () => {
    const d = deltaOf(
      run({ load: { histogram: baseHist } }),
      run({ load: { latency: sum(1, 3, 3) } }),
      'http_req_duration p95',
    );
    expect(d).toMatchObject({ base: 1, next: 3, limit: WHOLE, regression: true });
  });
});

describe('failed requests: the rate row, and latencies not comparable', () => {
  const base = run({ load: { latency: sum(1, 10, 10), requests: 100, failed: 0 } });

  it('a rate exactly at the limit has not risen; past it, a fall in latency is not comparable (p95 and p99, not p50)', () => {
    const atLimit = run({ load: { latency: sum(1, 5, 5), requests: 8, failed: 1 } });
    expect(deltaOf(base, atLimit, 'http_req_failed rate')).toMatchObject({ base: 0, next: 12.5, regression: false });
    expect(deltaOf(base, atLimit, 'http_req_duration p95').notComparable).toBeUndefined();

    const past = run({ load: { latency: sum(1, 5, 5), requests: 4, failed: 1 } });
    expect(deltaOf(base, past, 'http_req_failed rate')).toMatchObject({
      base: 0,
      next: 25,
      regression: true,
      limit: '+12.50 pt at most',
      evidence: ev(100, 4),
    });
    const why =
      'failed requests rose 0.00% → 25.00%: failed requests are timed too, so a latency that fell may be requests failing fast';
    expect(deltaOf(base, past, 'http_req_duration p95').notComparable).toBe(why);
    expect(deltaOf(base, past, 'http_req_duration p99').notComparable).toBe(why);
    expect(deltaOf(base, past, 'http_req_duration p50').notComparable).toBeUndefined();
  });

  it('the rates are shares of the requests, in percent, from a base that failed some too', () => {
    const some = run({ load: { latency: sum(1, 10, 10), requests: 8, failed: 1 } });
    const more = run({ load: { latency: sum(1, 5, 5), requests: 2, failed: 1 } });
    expect(deltaOf(some, more, 'http_req_failed rate')).toMatchObject({ base: 12.5, next: 50, regression: true });
    expect(deltaOf(some, more, 'http_req_duration p99').notComparable).toBe(
      'failed requests rose 12.50% → 50.00%: failed requests are timed too, so a latency that fell may be requests failing fast',
    );
  });

  it('no requests in a run: no rate for it, so nothing rose', () => {
    const empty = run({ load: { latency: sum(1, 5, 5), requests: 0, failed: 0 } });
    expect(deltaOf(base, empty, 'http_req_failed rate')).toMatchObject({
      base: 0,
      next: undefined,
      limit: 'only one run has it',
      regression: false,
    });
    expect(deltaOf(base, empty, 'http_req_duration p95').notComparable).toBeUndefined();
    expect(deltaOf(empty, base, 'http_req_duration p95').notComparable).toBeUndefined();
  });

  it('a latency that rose while failures rose is a plain regression, not "not comparable"', () => {
    const d = deltaOf(
      base,
      run({ load: { latency: sum(1, 20, 20), requests: 4, failed: 1 } }),
      'http_req_duration p95',
    );
    expect(d).toEqual({
      metric: 'http_req_duration p95',
      unit: 'ms',
      base: 10,
      next: 20,
      evidence: ev(100, 4),
      limit: WHOLE,
      regression: true,
    });
  });

  it('a latency one run lacks is not judged, nor not comparable', () => {
    const rose = run({ load: { requests: 4, failed: 1 } });
    expect(deltaOf(base, rose, 'http_req_duration p95')).toEqual({
      metric: 'http_req_duration p95',
      unit: 'ms',
      base: 10,
      next: undefined,
      evidence: ev(100, 4),
      limit: 'only one run has it',
      regression: false,
    });
    expect(
      deltaOf(rose, run({ load: { latency: sum(1, 5, 5), requests: 1, failed: 1 } }), 'http_req_duration p95'),
    ).toEqual({
      metric: 'http_req_duration p95',
      unit: 'ms',
      base: undefined,
      next: 5,
      evidence: ev(4, 1),
      limit: 'only one run has it',
      regression: false,
    });
  });
});

describe('a late load generator', () => {
  const late = (observed?: string) => ({
    id: 'generator',
    kind: 'generator' as const,
    status: 'fail' as const,
    objective: 'arrivals on schedule',
    ...(observed ? { observed } : {}),
  });
  const r = (verdicts: Partial<Verdict>[]) => run({ load: { latency: sum(1, 10, 10) }, verdicts });

  it('in the base run: p95 and p99 unmeasured (its objective when nothing was observed), p50 and the rate not', () => {
    const j = cmp(r([late()]), r([]));
    const why =
      'the load generator was late in the base run (arrivals on schedule): its latencies measure this machine, not the service';
    expect(j.deltas.find((d) => d.metric === 'http_req_duration p95')!.unmeasured).toBe(why);
    expect(j.deltas.find((d) => d.metric === 'http_req_duration p99')!.unmeasured).toBe(why);
    expect(j.deltas.find((d) => d.metric === 'http_req_duration p50')!.unmeasured).toBeUndefined();
    expect(j.deltas.find((d) => d.metric === 'http_req_failed rate')!.unmeasured).toBeUndefined();
  });

  it('both late: the base run is named', () => {
    const j = cmp(r([late('lag 5 ms')]), r([late('lag 9 ms')]));
    expect(j.deltas.find((d) => d.metric === 'http_req_duration p95')!.unmeasured).toBe(
      'the load generator was late in the base run (lag 5 ms): its latencies measure this machine, not the service',
    );
  });

  it('a generator verdict that passed, or another verdict that failed, is not a late generator', () => {
    const j = cmp(r([{ ...late(), status: 'pass' }]), r([{ id: 'x', kind: 'load', status: 'fail', objective: 'o' }]));
    expect(j.deltas.some((d) => d.unmeasured)).toBe(false);
  });
});

describe('per request name: rows of their own once there are several', () => {
  const h1 = hist([1000, 10]);
  const h2 = hist([2000, 10]);
  const named = (names: Record<string, string>, perSecond?: LoadShape['perSecond']) =>
    run({
      load: {
        latency: sum(1, 1, 1),
        byName: Object.fromEntries(Object.entries(names).map(([n, histogram]) => [n, { histogram, requests: 10 }])),
        ...(perSecond ? { perSecond } : {}),
      },
    });

  it('names sorted, each with its rows; a name one run lacks is shown, not judged', () => {
    const j = cmp(named({ b: h1, a: h1 }), named({ b: h2, c: h1 }));
    expect(j.deltas.map((d) => d.metric)).toEqual([
      'http_req_duration p50',
      'http_req_duration p95',
      'http_req_duration p99',
      'http_req_failed rate',
      'http_req_duration{name:a} p50',
      'http_req_duration{name:a} p95',
      'http_req_duration{name:a} p99',
      'http_req_failed{name:a} rate',
      'http_req_duration{name:b} p50',
      'http_req_duration{name:b} p95',
      'http_req_duration{name:b} p99',
      'http_req_failed{name:b} rate',
      'http_req_duration{name:c} p50',
      'http_req_duration{name:c} p95',
      'http_req_duration{name:c} p99',
      'http_req_failed{name:c} rate',
      'throughput (answered without failure)',
    ]);
    expect(j.deltas.find((d) => d.metric === 'http_req_duration{name:b} p99')).toEqual({
      metric: 'http_req_duration{name:b} p99',
      unit: 'ms',
      base: 1,
      next: 2,
      evidence: ev(10, 10),
      limit: `${WHOLE}, beyond noise: requests over 1.50 ms 0.00% → 100.00% (noise 0.00 pt over 10 vs 10 s)`,
      regression: true,
    });
    expect(j.deltas.find((d) => d.metric === 'http_req_failed{name:a} rate')).toMatchObject({
      base: 0,
      next: undefined,
      limit: 'only one run has it',
      evidence: ev(10, 0),
    });
    expect(j.deltas.find((d) => d.metric === 'http_req_failed{name:c} rate')).toMatchObject({
      base: undefined,
      next: 0,
      evidence: ev(0, 10),
    });
  });

  it('a base run without a load: every row of the new run’s names is one-sided', () => {
    const j = cmp(run({ load: null }), named({ a: h1, b: h1 }), L, true);
    expect(j.deltas.filter((d) => d.metric.includes('{name:')).map((d) => [d.metric, d.base, d.next, d.limit])).toEqual(
      [
        ['http_req_duration{name:a} p50', undefined, 1, 'only one run has it'],
        ['http_req_duration{name:a} p95', undefined, 1, 'only one run has it'],
        ['http_req_duration{name:a} p99', undefined, 1, 'only one run has it'],
        ['http_req_failed{name:a} rate', undefined, 0, 'only one run has it'],
        ['http_req_duration{name:b} p50', undefined, 1, 'only one run has it'],
        ['http_req_duration{name:b} p95', undefined, 1, 'only one run has it'],
        ['http_req_duration{name:b} p99', undefined, 1, 'only one run has it'],
        ['http_req_failed{name:b} rate', undefined, 0, 'only one run has it'],
      ],
    );
  });

  it('a name’s per-second values come from its per-second histograms; seconds without requests are skipped', () => {
    const s = (us: number): [number, number, number, string] => [0, 10, 0, hist([us, 10])];
    const j = cmp(
      named({ a: h1, b: h1 }, { a: [s(1000), [0, 0, 0], s(1000), s(1000)] }),
      named({ a: h2, b: h1 }, { a: [s(2000), s(2000), s(1000), [0, 0, 0]] }),
    );
    expect(j.deltas.find((d) => d.metric === 'http_req_duration{name:a} p95')!.limit).toBe(
      `${WHOLE}, in more seconds than noise: seconds over 1.50 ms 0 of 3 → 2 of 3 (noise 81.6 pt); median of seconds 1.00 → 2.00 ms, +50% and +0.25 ms at most`,
    );
  });

  it('a name whose seconds lack a histogram has no per-second values', () => {
    const j = cmp(
      named(
        { a: h1, b: h1 },
        {
          a: [
            [0, 10, 0],
            [1, 10, 0],
            [2, 10, 0],
          ],
        },
      ),
      named(
        { a: h2, b: h1 },
        {
          a: [
            [0, 10, 0, hist([2000, 10])],
            [1, 10, 0, hist([2000, 10])],
            [2, 10, 0, ''],
          ],
        },
      ),
    );
    // No series: the histograms' requests over the threshold.
    expect(j.deltas.find((d) => d.metric === 'http_req_duration{name:a} p95')!.limit).toMatch(
      /beyond noise: requests over 1\.50 ms/,
    );
  });
});

describe('throughput and capacity: lower is worse', () => {
  it('answered without failure per second; exactly at the drop limit is not past it', () => {
    const base = run({ load: { requests: 100, failed: 0, durationMs: 10_000 } });
    expect(
      deltaOf(
        base,
        run({ load: { requests: 80, failed: 5, durationMs: 10_000 } }),
        'throughput (answered without failure)',
      ),
    ).toMatchObject({
      base: 10,
      next: 7.5,
      regression: false,
      limit: '−25% at most',
    });
    expect(
      deltaOf(
        base,
        run({ load: { requests: 80, failed: 6, durationMs: 10_000 } }),
        'throughput (answered without failure)',
      ).regression,
    ).toBe(true);
  });

  it('a run that measured no time has no throughput', () => {
    expect(deltaOf(run({ load: { durationMs: 0 } }), run(), 'throughput (answered without failure)')).toMatchObject({
      base: undefined,
      next: 10,
      limit: 'only one run has it',
    });
  });

  it('capacity: the sustainable rate, with the capacity steps’ requests as evidence', () => {
    const cap = (sustainableRps: number, steps: number[]) =>
      run({ load: null, command: 'capacity', capacity: { sustainableRps, steps } });
    expect(cmp(cap(100, [10, 20]), cap(75, [5])).deltas).toEqual([
      {
        metric: 'capacity',
        unit: 'req/s',
        base: 100,
        next: 75,
        evidence: ev(30, 5, 'requests over the capacity steps'),
        limit: '−25% at most',
        regression: false,
      },
    ]);
    expect(cmp(cap(100, []), cap(74, [])).deltas[0]!.regression).toBe(true);
  });
});

describe('chaos: RTO, uptime and lost writes', () => {
  const chaosRun = (chaos: ChaosShape[]) => run({ load: null, command: 'chaos', chaos });

  it('RTO per experiment and fault: exactly the limit is not past it; one run’s fault alone is shown', () => {
    const j = cmp(
      chaosRun([
        {
          experiment: 'e',
          faults: [
            { id: 'f', rtoMs: 1000 },
            { id: 'g', rtoMs: 1000 },
          ],
        },
      ]),
      chaosRun([
        {
          experiment: 'e',
          faults: [
            { id: 'f', rtoMs: 1500 },
            { id: 'g', rtoMs: 1501 },
          ],
        },
        { experiment: 'x', faults: [{ id: 'f', rtoMs: 7 }] },
      ]),
    );
    expect(j.deltas).toEqual([
      {
        metric: 'RTO e f',
        unit: 'ms',
        base: 1000,
        next: 1500,
        evidence: { samples: 2, from: 'the RTO measured in each run' },
        limit: '+50% at most',
        regression: false,
      },
      {
        metric: 'RTO e g',
        unit: 'ms',
        base: 1000,
        next: 1501,
        evidence: { samples: 2, from: 'the RTO measured in each run' },
        limit: '+50% at most',
        regression: true,
      },
      {
        metric: 'RTO x f',
        unit: 'ms',
        base: undefined,
        next: 7,
        evidence: { samples: 1, from: 'the RTO measured in each run' },
        limit: 'only one run has it',
        regression: false,
      },
    ]);
  });

  it('a run without chaos: its faults and probes are one-sided rows, its lost writes none', () => {
    const chaos = chaosRun([
      {
        experiment: 'e',
        faults: [{ id: 'f', rtoMs: 900 }],
        probes: [{ name: 'a', total: 4, ok: 3 }],
        ledger: { lost: 1, acknowledged: 9 },
      },
    ]);
    const plain = run({ load: null, command: 'chaos' });
    const only = { limit: 'only one run has it', regression: false };
    expect(cmp(plain, chaos).deltas).toEqual([
      {
        metric: 'RTO e f',
        unit: 'ms',
        base: undefined,
        next: 900,
        evidence: { samples: 1, from: 'the RTO measured in each run' },
        ...only,
      },
      { metric: 'uptime e a', unit: '%', base: undefined, next: 75, evidence: ev(0, 4, 'probe samples'), ...only },
      {
        metric: 'acknowledged writes lost',
        unit: 'writes',
        base: undefined,
        next: 1,
        evidence: ev(0, 9, 'acknowledged writes'),
        ...only,
      },
    ]);
    expect(cmp(chaos, plain).deltas.map((d) => [d.metric, d.base, d.next, d.evidence.samples])).toEqual([
      ['RTO e f', 900, undefined, 1],
      ['uptime e a', 75, undefined, 4],
      ['acknowledged writes lost', 1, undefined, 9],
    ]);
    // A probe of another experiment only: matched by experiment and name.
    expect(
      cmp(chaos, chaosRun([{ experiment: 'x', probes: [{ name: 'a', total: 2, ok: 2 }] }])).deltas.map((d) => [
        d.metric,
        d.base,
        d.next,
      ]),
    ).toEqual([
      ['RTO e f', 900, undefined],
      ['uptime e a', 75, undefined],
      ['uptime x a', undefined, 100],
      ['acknowledged writes lost', 1, undefined],
    ]);
  });

  it('a fault with no RTO measured in either run is no row', () => {
    expect(
      cmp(
        chaosRun([{ experiment: 'e', faults: [{ id: 'f' }] }]),
        chaosRun([{ experiment: 'e', faults: [{ id: 'f' }] }]),
      ).deltas,
    ).toEqual([]);
  });

  it('uptime: healthy time over covered time when known, else ok samples; exactly the limit is not past it', () => {
    const j = cmp(
      chaosRun([
        {
          experiment: 'e',
          probes: [
            { name: 'a', total: 10, ok: 10 },
            { name: 'b', total: 8, ok: 1, healthyMs: 900, coveredMs: 1000 },
            { name: 'c', total: 4, ok: 4, coveredMs: 1000 },
          ],
        },
      ]),
      chaosRun([
        {
          experiment: 'e',
          probes: [
            { name: 'a', total: 8, ok: 7 },
            { name: 'b', total: 8, ok: 8, healthyMs: 774, coveredMs: 1000 },
            { name: 'c', total: 0, ok: 0 },
          ],
        },
      ]),
    );
    expect(j.deltas).toEqual([
      {
        metric: 'uptime e a',
        unit: '%',
        base: 100,
        next: 87.5,
        evidence: ev(10, 8, 'probe samples'),
        limit: '−12.50 pt at most',
        regression: false,
      },
      {
        metric: 'uptime e b',
        unit: '%',
        base: 90,
        next: 77.4,
        evidence: ev(8, 8, 'probe samples'),
        limit: '−12.50 pt at most',
        regression: true,
      },
      {
        metric: 'uptime e c',
        unit: '%',
        base: 0,
        next: undefined,
        evidence: ev(4, 0, 'probe samples'),
        limit: 'only one run has it',
        regression: false,
      },
    ]);
  });

  it('lost writes: summed over the experiments that kept a ledger; no ledger, no figure', () => {
    const withLedger = (lost: number[]) =>
      chaosRun([
        ...lost.map((n, i) => ({ experiment: `e${i}`, ledger: { lost: n, acknowledged: 10 } })),
        { experiment: 'none' },
      ]);
    const row = (base: RunRecord, next: RunRecord) =>
      cmp(base, next).deltas.find((d) => d.metric === 'acknowledged writes lost');
    expect(row(withLedger([1, 2]), withLedger([3]))).toEqual({
      metric: 'acknowledged writes lost',
      unit: 'writes',
      base: 3,
      next: 3,
      evidence: ev(20, 10, 'acknowledged writes'),
      limit: 'no more than before',
      regression: false,
    });
    expect(row(withLedger([1, 2]), withLedger([2, 2]))!.regression).toBe(true);
    expect(row(withLedger([]), withLedger([0]))).toMatchObject({
      base: undefined,
      next: 0,
      limit: 'only one run has it',
    });
    expect(row(chaosRun([{ experiment: 'e' }]), chaosRun([{ experiment: 'e' }]))).toBeUndefined();
  });
});

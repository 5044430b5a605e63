// Properties of the threshold judge (k6 expressions on a load result): worse traffic never turns a
// fail (or no-data) into a pass; no samples never pass.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoadResult, Verdict } from '../record/schema.ts';
import {
  fewerRequests,
  loadResultOf,
  lowerBound,
  moreDrops,
  moreErrors,
  runs,
  slower,
  traffic,
  upperBound,
  windowTag,
  worsened,
  type Traffic,
} from './arbitraries.test-util.ts';
import { thresholdVerdicts } from './thresholds.ts';

/** Per-second histograms only where a windowed latency threshold needs them: they cost milliseconds each. */
const judge = (tr: Traffic, selector: string, expr: string): Verdict =>
  thresholdVerdicts(loadResultOf(tr, { secondHistograms: /duration\{window/.test(selector) }), {
    [selector]: [expr],
  })[0]!;

/** worse passes ⇒ base passed: a fail or no-data never becomes a pass by making things worse. */
function neverBetter(
  worsening: (tr: Traffic) => fc.Arbitrary<Traffic>,
  threshold: fc.Arbitrary<[string, string]>,
  base = traffic(),
) {
  fc.assert(
    fc.property(worsened(base, worsening), threshold, ({ base, worse }, [selector, expr]) => {
      const before = judge(base, selector, expr);
      const after = judge(worse, selector, expr);
      if (after.status === 'pass') expect(before.status, `${selector} ${expr}: ${before.observed}`).toBe('pass');
    }),
    runs,
  );
}

const latencyAggregation = fc.constantFrom('p(50)', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'avg', 'med', 'max', 'min');

describe('threshold properties: worse never passes where better failed', () => {
  it('slower requests never turn a latency limit from fail into pass', () => {
    neverBetter(
      slower,
      fc
        .tuple(windowTag, latencyAggregation, upperBound(6000))
        .map(([w, agg, bound]): [string, string] => [`http_req_duration${w}`, `${agg}${bound}`]),
    );
  });

  it('more errors never turn an error-rate limit from fail into pass', () => {
    neverBetter(
      moreErrors,
      fc
        .tuple(windowTag, fc.constantFrom('<', '<='), fc.integer({ min: 0, max: 100 }))
        .map(([w, op, pct]): [string, string] => [`http_req_failed${w}`, `rate${op}${pct / 100}`]),
    );
  });

  it('fewer requests never turn a throughput floor from fail into pass', () => {
    neverBetter(
      fewerRequests,
      fc
        .tuple(fc.constantFrom('http_reqs', 'iterations'), windowTag, fc.constantFrom('count', 'rate'), lowerBound(30))
        .map(([metric, w, agg, bound]): [string, string] => [
          `${metric}${metric === 'iterations' ? '' : w}`,
          `${agg}${bound}`,
        ]),
    );
  });

  it('more dropped arrivals never turn a dropped_iterations limit from fail into pass', () => {
    neverBetter(
      moreDrops,
      fc
        .tuple(windowTag, fc.constantFrom('count', 'rate'), upperBound(20))
        .map(([w, agg, bound]): [string, string] => [`dropped_iterations${w}`, `${agg}${bound}`]),
      // A run with arrivals scheduled: with none at all the limit is no-data, and one dropped
      // arrival then gives it evidence (1 of 1 dropped meets count<2) — not a fail turned pass.
      traffic({ minRequests: 1 }).map((t) => ({ ...t, model: 'open' as const })),
    );
  });
});

describe('threshold properties: the counterexamples they found', () => {
  it('an empty window tied with one that has samples never decides a windowed ceiling (no-data → pass on one more drop)', () => {
    const base = {
      seconds: 2,
      model: 'open' as const,
      requests: [{ t: 1, us: 100, ok: false }],
      droppedPerSecond: [0, 0],
    } as unknown as Traffic;
    const worse = { ...base, droppedPerSecond: [1, 0] } as unknown as Traffic;
    expect(judge(base, 'dropped_iterations{window:1s}', 'count<2').status).toBe('pass');
    expect(judge(worse, 'dropped_iterations{window:1s}', 'count<2').status).toBe('pass');
  });
});

describe('threshold properties: no evidence never passes', () => {
  const anyThreshold = fc.oneof(
    fc
      .tuple(windowTag, latencyAggregation, fc.oneof(upperBound(6000), lowerBound(6000)))
      .map(([w, a, b]) => [`http_req_duration${w}`, `${a}${b}`]),
    fc.tuple(windowTag, fc.oneof(upperBound(1), lowerBound(1))).map(([w, b]) => [`http_req_failed${w}`, `rate${b}`]),
    fc
      .tuple(windowTag, fc.constantFrom('count', 'rate'), fc.oneof(upperBound(100), lowerBound(100)))
      .map(([w, agg, b]) => [`http_reqs${w}`, `${agg}${b}`]),
    fc
      .tuple(fc.constantFrom('iterations', 'dropped_iterations'), fc.constantFrom('count', 'rate'), upperBound(100))
      .map(([m, agg, b]) => [m, `${agg}${b}`]),
    fc.tuple(latencyAggregation, upperBound(6000)).map(([a, b]) => ['iteration_duration', `${a}${b}`]),
  );

  it('a load in which no request was sent passes no threshold', () => {
    fc.assert(
      fc.property(
        traffic({ maxRequests: 0 }).map((t) => ({ ...t, droppedPerSecond: t.droppedPerSecond.map(() => 0) })),
        anyThreshold,
        (tr, [selector, expr]) => {
          const v = judge(tr, selector!, expr!);
          expect(v.status, `${selector} ${expr} on an empty load: ${v.observed ?? v.detail}`).not.toBe('pass');
        },
      ),
      runs,
    );
  });

  it('every pass carries evidence with at least one sample', () => {
    fc.assert(
      fc.property(traffic(), anyThreshold, (tr, [selector, expr]) => {
        const v = judge(tr, selector!, expr!);
        if (v.status === 'pass') expect(v.evidence.samples).toBeGreaterThan(0);
      }),
      runs,
    );
  });

  it('a threshold on a request name nobody sent is no-data, whatever its bound', () => {
    fc.assert(
      fc.property(traffic({ minRequests: 1 }), upperBound(6000), (tr, bound) => {
        const r: LoadResult = loadResultOf(tr);
        const [v] = thresholdVerdicts(r, { 'http_req_duration{name:other}': [`p(95)${bound}`] });
        expect(v!.status).toBe('no-data');
      }),
      runs,
    );
  });
});

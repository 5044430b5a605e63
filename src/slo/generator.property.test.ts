// Properties of the generator's verdicts (open model): more send lag or more dropped arrivals
// never turn a fail into a pass; no arrival sent or scheduled never passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Executor } from '../config/profile.ts';
import type { LoadResult } from '../record/schema.ts';
import {
  block,
  loadResultOf,
  moreDrops,
  runs,
  traffic,
  upperBound,
  worsened,
  type Traffic,
} from './arbitraries.test-util.ts';
import { droppedVerdict, generatorVerdict } from './generator.ts';

const scenario: Executor = {
  executor: 'constant-arrival-rate',
  rate: 50,
  timeUnit: 1000,
  duration: 8000,
  preAllocatedVUs: 10,
};

const open = traffic().map((t): Traffic => ({ ...t, model: 'open' }));

/** An open-model result whose arrivals were sent late by `lagUs` each. */
const withLag = (load: LoadResult, lagUs: readonly number[]): LoadResult => ({
  ...load,
  generator: { busiestWorkerElu: 0.5, lag: block(lagUs) },
});

/** Latency limits a profile may write (the lag bound is a tenth of the tightest), or none. */
const latencyLimits = fc.oneof(
  fc.constant({}),
  fc
    .tuple(fc.constantFrom('p(95)', 'p(99)', 'avg', 'max', 'med'), upperBound(3000))
    .map(([agg, b]) => ({ http_req_duration: [`${agg}${b}`] })),
);

describe('generator properties', () => {
  it('more send lag never turns the generator verdict from fail into pass', () => {
    fc.assert(
      fc.property(
        open,
        fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(200_000), { minLength: 30, maxLength: 30 }),
        latencyLimits,
        (tr, lag, extra, thresholds) => {
          const load = loadResultOf(tr);
          const before = generatorVerdict(withLag(load, lag), thresholds)!;
          const after = generatorVerdict(
            withLag(
              load,
              lag.map((l, i) => l + extra[i]!),
            ),
            thresholds,
          )!;
          if (after.status === 'pass') expect(before.status, `${before.observed}`).toBe('pass');
        },
      ),
      runs,
    );
  });

  it('no arrival sent (an empty lag histogram) is never a pass', () => {
    fc.assert(
      fc.property(open, latencyLimits, (tr, thresholds) => {
        const v = generatorVerdict(withLag(loadResultOf(tr), []), thresholds)!;
        expect(v.status).not.toBe('pass');
      }),
      runs,
    );
  });

  it('more dropped arrivals never turn the dropped verdict from fail into pass', () => {
    fc.assert(
      fc.property(worsened(open, moreDrops), ({ base, worse }) => {
        const before = droppedVerdict(loadResultOf(base), scenario, {})!;
        const after = droppedVerdict(loadResultOf(worse), scenario, {})!;
        if (after.status === 'pass') expect(before.status).toBe('pass');
        if (worse.droppedPerSecond.some((d) => d > 0)) expect(after.status).toBe('fail');
      }),
      runs,
    );
  });

  it('nothing scheduled (no request, no drop) is never a pass', () => {
    fc.assert(
      fc.property(open, (tr) => {
        const none = { ...tr, requests: [], droppedPerSecond: tr.droppedPerSecond.map(() => 0) };
        expect(droppedVerdict(loadResultOf(none), scenario, {})!.status).toBe('no-data');
      }),
      runs,
    );
  });
});

// Properties of the capacity step judge and the PromQL SLO judge: worse never turns bad into good;
// a step with nothing answered, or a query with no series, never passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withDefaultFailureThresholds } from '../config/threshold.ts';
import {
  fewerAnswered,
  loadResultOf,
  moreDrops,
  moreErrors,
  runs,
  slower,
  traffic,
  upperBound,
  worsened,
  type Traffic,
} from './arbitraries.test-util.ts';
import { judgeStep } from './capacity.ts';
import { promSloVerdict, type PromSeries } from './promql.ts';

const stepThresholds = fc
  .tuple(fc.constantFrom('p(95)', 'p(99)', 'avg'), upperBound(3000))
  .map(([agg, b]) => withDefaultFailureThresholds({ http_req_duration: [`${agg}${b}`] }, ['http']).thresholds);

const open = traffic().map((t): Traffic => ({ ...t, model: 'open' }));

describe('capacity step properties', () => {
  it('slower, more errors or more drops never turn a bad step good', () => {
    const worsening = fc.oneof(worsened(open, slower), worsened(open, moreErrors), worsened(open, moreDrops));
    fc.assert(
      fc.property(worsening, stepThresholds, ({ base, worse }, t) => {
        const after = judgeStep(loadResultOf(worse), t);
        if (after.outcome === 'good') expect(judgeStep(loadResultOf(base), t).outcome).toBe('good');
      }),
      runs,
    );
  });

  it('a step in which every request failed, or none was sent, is never good', () => {
    fc.assert(
      fc.property(open, stepThresholds, (tr, t) => {
        const down = { ...tr, requests: tr.requests.map((r) => ({ ...r, ok: false })) };
        expect(judgeStep(loadResultOf(down), t).outcome).not.toBe('good');
        expect(judgeStep(loadResultOf({ ...tr, requests: [] }), t).outcome).not.toBe('good');
      }),
      runs,
    );
  });

  it('fewer answered requests never turn a bad step with a throughput floor good', () => {
    fc.assert(
      fc.property(worsened(open, fewerAnswered), fc.integer({ min: 0, max: 30 }), ({ base, worse }, floor) => {
        const t = withDefaultFailureThresholds({ http_reqs: [`count>=${floor}`] }, ['http']).thresholds;
        if (judgeStep(loadResultOf(worse), t).outcome === 'good')
          expect(judgeStep(loadResultOf(base), t).outcome).toBe('good');
      }),
      runs,
    );
  });
});

describe('PromQL SLO properties', () => {
  const spec = (objective: string, aggregate: 'max' | 'min' | 'avg' | 'last') => ({
    name: 'errors',
    query: 'q',
    objective,
    aggregate,
  });
  const series = fc.array(
    fc
      .array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 10 })
      .map((vs): PromSeries => ({ labels: {}, points: vs.map((v, i) => [i * 1000, v]) })),
    { minLength: 1, maxLength: 4 },
  );
  const aggregation = fc.constantFrom('max' as const, 'min' as const, 'avg' as const, 'last' as const);

  it('higher values never turn an upper bound from fail into pass; an added series never helps', () => {
    fc.assert(
      fc.property(
        series,
        fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 10, maxLength: 10 }),
        series,
        aggregation,
        fc.constantFrom('<', '<='),
        fc.integer({ min: 0, max: 100 }),
        (s, extra, added, agg, op, bound) => {
          const slo = spec(`${op} ${bound}`, agg);
          const higher = s.map((x) => ({
            ...x,
            points: x.points.map(([t, v], i): [number, number] => [t, v + extra[i]!]),
          }));
          const before = promSloVerdict(slo, s, 1000, 10_000);
          for (const worse of [higher, [...s, ...added]])
            if (promSloVerdict(slo, worse, 1000, 10_000).status === 'pass') expect(before.status).toBe('pass');
        },
      ),
      runs,
    );
  });

  it('no series is never a pass', () => {
    fc.assert(
      fc.property(aggregation, fc.constantFrom('< 1', '>= 0', '== 0', '<= 100'), (agg, objective) => {
        expect(promSloVerdict(spec(objective, agg), [], 1000, 10_000).status).toBe('no-data');
      }),
      runs,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { Slos } from '../config/schema.ts';
import { aggregate, promSloUnasked, promSloVerdict } from './promql.ts';

const slo = { name: 'errors', query: 'sum(rate(x[1m]))', objective: '<0.01', aggregate: 'max' as const };
const series = (labels: Record<string, string>, values: number[]) => ({
  labels,
  points: values.map((v, i) => [i * 1000, v] as [number, number]),
});

describe('a PromQL SLO over the run window', () => {
  it('pass: every series holds on its aggregate', () => {
    const v = promSloVerdict(slo, [series({}, [0, 0.005, 0.002])], 1000, 3000);
    expect(v).toMatchObject({ id: 'prometheus errors', status: 'pass', observed: 'max=0.00500' });
    expect(v.objective).toBe('max of sum(rate(x[1m])) <0.01');
    expect(v.detail).toBe('Prometheus, 3 points every 1.00 s over 3.00 s');
  });

  it('fail: one series breaks it — that one is named, of how many', () => {
    const v = promSloVerdict(
      slo,
      [series({ route: '/a' }, [0.001]), series({ route: '/b' }, [0.002, 0.3])],
      1000,
      2000,
    );
    expect(v).toMatchObject({ status: 'fail', observed: 'max=0.300 (series {route="/b"}, 2 series)' });
  });

  it('no-data: no series with a number is never a pass; nor is a Prometheus that could not be asked', () => {
    expect(promSloVerdict(slo, [], 1000, 2000)).toMatchObject({ status: 'no-data' });
    expect(promSloUnasked(slo, 'connect ECONNREFUSED')).toMatchObject({
      status: 'no-data',
      detail: 'Prometheus could not be asked: connect ECONNREFUSED',
    });
  });

  it('the aggregate decides: a spike fails max, passes avg and last', () => {
    const s = [series({}, [0, 0.05, 0, 0, 0, 0, 0, 0, 0, 0])];
    expect(promSloVerdict(slo, s, 1000, 10_000).status).toBe('fail');
    expect(promSloVerdict({ ...slo, aggregate: 'avg' }, s, 1000, 10_000).status).toBe('pass');
    expect(promSloVerdict({ ...slo, aggregate: 'last' }, s, 1000, 10_000).status).toBe('pass');
    expect(aggregate([3, 1, 2], 'min')).toBe(1);
  });

  it('a lower bound (availability > 0.999) fails on its minimum', () => {
    const up = { ...slo, objective: '>0.999', aggregate: 'min' as const };
    expect(promSloVerdict(up, [series({}, [1, 1, 0.98, 1])], 1000, 4000)).toMatchObject({
      status: 'fail',
      observed: 'min=0.980',
    });
  });
});

describe('the aggregate a PromQL SLO is judged on by default', () => {
  const parsed = (objective: string, aggregate?: string) =>
    Slos.parse({ prometheus: [{ name: 'x', query: 'up', objective, ...(aggregate ? { aggregate } : {}) }] })
      .prometheus[0]!;

  it('is the worst point for the objective: min for a floor, max for a ceiling; as written when written', () => {
    expect(parsed('>=0.99').aggregate).toBe('min');
    expect(parsed('> 0').aggregate).toBe('min');
    expect(parsed('<0.01').aggregate).toBe('max');
    expect(parsed('<=1').aggregate).toBe('max');
    expect(parsed('>=0.99', 'avg').aggregate).toBe('avg');
  });

  it('a success ratio at 0.5 that touched 1.0 once fails ">=0.99" (judged on its best point it passed)', () => {
    const floor = parsed('>=0.99');
    const v = promSloVerdict(floor, [series({}, [0.5, 0.5, 1, 0.5])], 1000, 4000);
    expect(v).toMatchObject({ status: 'fail', observed: 'min=0.500' });
  });
});

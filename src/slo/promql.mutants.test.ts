import { describe, expect, it } from 'vitest';
import { aggregate, promSloVerdict } from './promql.ts';

// Each case below pins what a surviving mutant changed (docs/mutation.md).
const slo = { name: 'errors', query: 'sum(rate(x[1m]))', objective: '<0.01', aggregate: 'max' as const };
const series = (labels: Record<string, string>, values: number[]) => ({
  labels,
  points: values.map((v, i) => [i * 1000, v] as [number, number]),
});

describe('a PromQL SLO, exactly as the record holds it', () => {
  it('every aggregate of [3, 1, 2]: last 2, min 1, avg 2, max 3', () => {
    expect(aggregate([3, 1, 2], 'last')).toBe(2);
    expect(aggregate([3, 1, 2], 'min')).toBe(1);
    expect(aggregate([3, 1, 4], 'avg')).toBeCloseTo(8 / 3, 12);
    expect(aggregate([3, 1, 2], 'max')).toBe(3);
  });

  it('pass over two series: the whole verdict, its evidence counting every point', () => {
    const v = promSloVerdict(
      slo,
      [series({ route: '/a', code: '500' }, [0.001, 0.002]), series({ route: '/b' }, [0.003])],
      1000,
      3000,
    );
    expect(v).toEqual({
      id: 'prometheus errors',
      kind: 'prometheus',
      scope: 'prometheus',
      source: 'slo',
      objective: 'max of sum(rate(x[1m])) <0.01',
      status: 'pass',
      measured: { value: 0.002, unit: 'number' },
      bound: { op: '<', value: 0.01, unit: 'number' },
      evidence: { samples: 3, coveredMs: 3000, from: 'Prometheus, 2 series' },
      observed: 'max=0.00200 (series {route="/a",code="500"}, 2 series)',
      detail: 'Prometheus, 3 points every 1.00 s over 3.00 s',
    });
  });

  it('no series is no-data, saying so; an objective that is no comparison is an error', () => {
    expect(promSloVerdict(slo, [], 1000, 2000)).toEqual({
      id: 'prometheus errors',
      kind: 'prometheus',
      scope: 'prometheus',
      source: 'slo',
      objective: 'max of sum(rate(x[1m])) <0.01',
      status: 'no-data',
      detail: 'the query returned no series with a number in the run’s window',
    });
    expect(promSloVerdict({ ...slo, objective: 'low' }, [series({}, [1])], 1000, 2000)).toMatchObject({
      status: 'error',
      detail: 'the objective "low" is not a comparison',
    });
  });

  it('the observed value is rounded by its size: 1 decimal from 100, 3 from 1, else 3 significant digits', () => {
    const observed = (v: number) =>
      promSloVerdict({ ...slo, objective: '<1000' }, [series({}, [v])], 1000, 1000).observed;
    expect(observed(100)).toBe('max=100.0');
    expect(observed(-150)).toBe('max=-150.0');
    expect(observed(99.5)).toBe('max=99.500');
    expect(observed(1)).toBe('max=1.000');
    expect(observed(-2)).toBe('max=-2.000');
    expect(observed(0.5)).toBe('max=0.500');
  });
});

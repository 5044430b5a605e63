import { describe, expect, it } from 'vitest';
import { parseNativeHistogram, quantileOf, quantileOfAggregation } from './native-histogram.ts';
import { mergeSummaries } from './operator.ts';

// Two runners' merged histogram as Prometheus returns it: 90 observations in (0.1, 0.105], 10 in (0.2, 0.21].
const merged = parseNativeHistogram({
  count: '100',
  sum: '11.5',
  buckets: [
    [0, '0.2', '0.21', '10'],
    [0, '0.1', '0.105', '90'],
    [0, '0.3', '0.33', '0'],
  ],
});

describe('percentiles of a merged native histogram', () => {
  it('parses buckets, drops empty ones, sorts them', () => {
    expect(merged.count).toBe(100);
    expect(merged.buckets.map((b) => b.lower)).toEqual([0.1, 0.2]);
  });

  it('the median lies in the bucket holding rank 50, with its bounds', () => {
    const p50 = quantileOf(merged, 0.5)!;
    expect(p50.lower).toBe(0.1);
    expect(p50.upper).toBe(0.105);
    expect(p50.value).toBeCloseTo(0.1 + 0.005 * (50 / 90), 9);
  });

  it('p95 falls in the slow bucket; p90 is the last of the fast one', () => {
    expect(quantileOf(merged, 0.95)).toMatchObject({ lower: 0.2, upper: 0.21 });
    expect(quantileOf(merged, 0.9)).toMatchObject({ lower: 0.1, upper: 0.105, value: 0.105 });
  });

  it('no observations is no value, never 0', () => {
    expect(quantileOf(parseNativeHistogram({ count: '0', sum: '0' }), 0.95)).toBeUndefined();
  });

  it('k6 aggregation names map to quantiles; avg, min and max are not quantiles', () => {
    expect(['med', 'p(95)', 'p(99.9)', 'avg', 'max'].map(quantileOfAggregation)).toEqual([
      0.5,
      0.95,
      0.999,
      undefined,
      undefined,
    ]);
  });
});

describe('runner summaries merged with percentiles from the merged histogram', () => {
  const runner = (p95: number, max: number) => ({
    metrics: {
      http_req_duration: {
        type: 'trend',
        contains: 'time',
        values: { min: 50, med: 51, 'p(95)': p95, max },
        thresholds: { 'p(95)<59': { ok: true }, 'p(95)<65': { ok: true } },
      },
    },
  });
  it('takes the bucket as the bound, clamps it to the observed max, and judges a threshold on the whole bucket', () => {
    const exact = {
      http_req_duration: (agg: string) => (agg === 'p(95)' ? { value: 61, lower: 57, upper: 62.5 } : undefined),
    };
    const { merged, bounds } = mergeSummaries([runner(56, 58), runner(58, 60)] as never, exact);
    expect(bounds.http_req_duration!['p(95)']).toEqual([57, 60]);
    expect(merged.metrics.http_req_duration!.values['p(95)']).toBe(60);
    const t = merged.metrics.http_req_duration!.thresholds!;
    expect(t['p(95)<59']!.ok).toBe(false); // the bucket reaches 60: not known to be under 59
    expect(t['p(95)<65']!.ok).toBe(true);
  });
  it('without the merged histogram, the runners’ own percentiles bound it', () => {
    const { bounds } = mergeSummaries([runner(56, 58), runner(58, 60)] as never);
    expect(bounds.http_req_duration!['p(95)']).toEqual([56, 58]);
  });
});

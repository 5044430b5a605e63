import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  explicitBuckets,
  exponentialBuckets,
  mergeInto,
  newHistogram,
  percentileMs,
  summarise,
} from './histogram.ts';

/** A histogram of values in ms (recorded in µs, as the engine records them). */
function of(valuesMs: number[]) {
  const h = newHistogram();
  for (const v of valuesMs) h.recordValue(Math.round(v * 1000));
  return h;
}

describe('HDR latency histograms', () => {
  it('an empty histogram has no summary: no samples, no figures', () => {
    expect(summarise(newHistogram())).toBeUndefined();
  });

  it('summarises in ms from µs, to 3 significant digits', () => {
    const s = summarise(of(Array.from({ length: 100 }, (_, i) => i + 1)))!; // 1..100 ms
    expect(s.count).toBe(100);
    expect(s.minMs).toBe(1);
    expect(s.meanMs).toBeCloseTo(50.5, 1);
    expect(s.p50Ms).toBeCloseTo(50, 1);
    expect(s.p90Ms).toBeCloseTo(90, 1);
    expect(s.p95Ms).toBeCloseTo(95, 1);
    expect(s.p99Ms).toBeCloseTo(99, 1);
    expect(s.p999Ms).toBeCloseTo(100, 0);
    expect(s.maxMs).toBeCloseTo(100, 0);
    expect(percentileMs(of([1, 2, 3, 400]), 100)).toBeCloseTo(400, 0);
  });

  it('tracks an hour (a request that hung until its timeout is kept, not clipped)', () => {
    const s = summarise(of([3_600_000]))!;
    expect(s.maxMs).toBeGreaterThan(3_599_000);
    expect(s.maxMs).toBeLessThan(3_602_000);
  });

  it('survives encoding and merges by adding counts: percentiles of the union, never averaged', () => {
    const fast = of(Array.from({ length: 90 }, () => 10));
    const slow = of(Array.from({ length: 10 }, () => 1000));
    // Encoding keeps every bucket's count; the exact max is not kept, only its bucket (3 digits).
    const back = summarise(decode(encode(fast)))!;
    expect(back).toMatchObject({ count: 90, minMs: 10, p50Ms: summarise(fast)!.p50Ms, p99Ms: summarise(fast)!.p99Ms });
    expect(back.maxMs).toBeCloseTo(10, 1);
    const merged = newHistogram();
    mergeInto(merged, encode(fast));
    mergeInto(merged, encode(slow));
    expect(merged.totalCount).toBe(100);
    expect(percentileMs(merged, 90)).toBeCloseTo(10, 1);
    expect(percentileMs(merged, 95)).toBeCloseTo(1000, -1);
  });

  it('explicit buckets: (previous, bound], a value at a bound counted at or below it, then overflow', () => {
    const h = of([0.5, 1, 1, 2, 5, 5.1, 10, 250]);
    expect(explicitBuckets(h, [1, 5, 10])).toEqual([3, 2, 2, 1]);
    expect(explicitBuckets(h, [])).toEqual([8]);
    // 5.001 ms shares 5 ms's HDR bucket (3 digits): counted at or below the bound, as documented.
    expect(explicitBuckets(of([5.001]), [5, 10])).toEqual([1, 0, 0]);
    expect(explicitBuckets(newHistogram(), [1, 5])).toEqual([0, 0, 0]);
  });

  it('exponential buckets of a schema: bucket i holds (2^((i-1)/2^schema), 2^(i/2^schema)] s', () => {
    // Schema 0: powers of two seconds. 0.75 s → (0.5, 1] = index 0; 1.5 s → (1, 2] = 1; 3 s → (2, 4] = 2.
    const h = of([750, 1500, 1500, 3000]);
    expect(exponentialBuckets(h, 0)).toEqual([
      [0, 1],
      [1, 2],
      [2, 1],
    ]);
    // Schema 1 halves each bucket: 1.5 s → (√2, 2] = 2; 3 s → (2√2, 4] = 4; 0.75 s → (1/√2, 1] = 0.
    expect(exponentialBuckets(h, 1)).toEqual([
      [0, 1],
      [2, 2],
      [4, 1],
    ]);
    // 1 ms → (2^-10, 2^-9] s = index -9 at schema 0; sorted by index with the larger ones after.
    expect(exponentialBuckets(of([1, 3000]), 0)).toEqual([
      [-9, 1],
      [2, 1],
    ]);
    expect(exponentialBuckets(newHistogram(), 3)).toEqual([]);
  });
});

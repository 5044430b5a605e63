import { describe, expect, it } from 'vitest';
import { maxVUsOf, peakRatePerSecond } from './profile.ts';

describe('the open model’s default connection limit', () => {
  it('holds one second of arrivals at the peak rate, at least preAllocatedVUs × 10, at most 10 000', () => {
    const open = { executor: 'constant-arrival-rate', duration: 5000, timeUnit: 1000, preAllocatedVUs: 10 } as const;
    expect(maxVUsOf({ ...open, rate: 50 })).toBe(100);
    expect(maxVUsOf({ ...open, rate: 500 })).toBe(500);
    expect(maxVUsOf({ ...open, rate: 50_000 })).toBe(10_000);
    expect(maxVUsOf({ ...open, rate: 50_000, maxVUs: 40_000 })).toBe(40_000);
    expect(
      peakRatePerSecond({
        executor: 'ramping-arrival-rate',
        startRate: 5,
        timeUnit: 100,
        preAllocatedVUs: 1,
        stages: [
          { duration: 1000, target: 30 },
          { duration: 1000, target: 10 },
        ],
      }),
    ).toBe(300);
    expect(maxVUsOf({ executor: 'constant-vus', vus: 3, duration: 1000 })).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { Executor } from '../../config/profile.ts';
import { ArrivalSchedule, shareOf, vusAt } from './schedule.ts';

describe('schedules', () => {
  it('shares a total between workers, differing by at most one', () => {
    expect([0, 1, 2].map((i) => shareOf(10, i, 3))).toEqual([4, 3, 3]);
    expect([0, 1].map((i) => shareOf(1, i, 2))).toEqual([1, 0]);
  });

  it('ramps VUs linearly between stage targets', () => {
    const e: Executor = {
      executor: 'ramping-vus',
      startVUs: 0,
      gracefulRampDown: 0,
      stages: [
        { duration: 10_000, target: 10 },
        { duration: 10_000, target: 10 },
      ],
    };
    expect(vusAt(e, 0)).toBe(0);
    expect(vusAt(e, 5000)).toBe(5);
    expect(vusAt(e, 15_000)).toBe(10);
    expect(vusAt(e, 20_000)).toBe(0);
  });

  it('constant arrival rate: evenly spaced arrivals, exact total', () => {
    const s = new ArrivalSchedule({
      executor: 'constant-arrival-rate',
      rate: 100,
      timeUnit: 1000,
      duration: 2000,
      preAllocatedVUs: 1,
    });
    expect(s.total).toBe(200);
    expect(s.timeOf(0)).toBe(0);
    expect(s.timeOf(1)).toBeCloseTo(10);
    expect(s.timeOf(199)).toBeCloseTo(1990);
    expect(s.timeOf(200)).toBe(Infinity);
  });

  it('ramping arrival rate: arrivals follow the integral of the rate', () => {
    // 0 → 100/s over 10 s: 500 arrivals; half the rate-area is reached at t = 10/√2 s.
    const s = new ArrivalSchedule({
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: 1000,
      preAllocatedVUs: 1,
      stages: [{ duration: 10_000, target: 100 }],
    });
    expect(s.total).toBe(500);
    expect(s.timeOf(250)).toBeCloseTo(10_000 / Math.SQRT2, 0);
    expect(s.rateAt(5000)).toBeCloseTo(50);
    const times = Array.from({ length: 500 }, (_, j) => s.timeOf(j));
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
  });
});

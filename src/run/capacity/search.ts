// Pure: where a capacity search goes next. Grow the rate geometrically while steps hold, then
// bisect between the last good and the first bad step until the gap is within the resolution.
import type { CapacitySearch } from '../../config/profile.ts';

export type StepOutcome = 'good' | 'bad' | 'inconclusive';

export interface StepSeen {
  rate: number;
  outcome: StepOutcome;
  /** The target stopped answering: nothing more to learn by offering load. */
  targetGone?: boolean;
}

export type Next = { rate: number; phase: 'grow' | 'narrow' } | { done: Stop };
export type Stop = 'bracketed' | 'max rate' | 'fails at the first step' | 'generator' | 'target stopped answering';

export function bracket(steps: readonly StepSeen[]): { good?: number; bad?: number } {
  const good = steps.filter((s) => s.outcome === 'good').map((s) => s.rate);
  const bad = steps.filter((s) => s.outcome === 'bad').map((s) => s.rate);
  return {
    ...(good.length ? { good: Math.max(...good) } : {}),
    ...(bad.length ? { bad: Math.min(...bad) } : {}),
  };
}

export function nextStep(
  c: Pick<CapacitySearch, 'startRate' | 'maxRate' | 'growth' | 'resolution'>,
  steps: readonly StepSeen[],
): Next {
  if (steps.length === 0) return { rate: roundRate(c.startRate), phase: 'grow' };
  const last = steps[steps.length - 1]!;
  if (last.outcome === 'inconclusive') return { done: 'generator' };
  if (last.targetGone) return { done: 'target stopped answering' };
  const { good, bad } = bracket(steps);
  if (good === undefined) return { done: 'fails at the first step' };
  if (bad === undefined) {
    if (good >= c.maxRate) return { done: 'max rate' };
    return { rate: roundRate(Math.min(good * c.growth, c.maxRate)), phase: 'grow' };
  }
  if ((bad - good) / good <= c.resolution) return { done: 'bracketed' };
  const mid = roundRate((good + bad) / 2);
  // Rounding can land on a bound once the gap is a few requests/s wide: nothing left to learn.
  if (mid <= good || mid >= bad) return { done: 'bracketed' };
  return { rate: mid, phase: 'narrow' };
}

/** Rates people read: whole requests/s from 10 up, one decimal below. */
export function roundRate(r: number): number {
  return r >= 10 ? Math.round(r) : Math.round(r * 10) / 10;
}

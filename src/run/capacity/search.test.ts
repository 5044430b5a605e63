import { describe, expect, it } from 'vitest';
import { nextStep, type StepSeen } from './search.ts';

const c = { startRate: 100, maxRate: 5000, growth: 2, resolution: 0.05 };

/** Drives the search against a target that holds up to `ceiling` req/s. */
function search(ceiling: number, cfg = c) {
  const steps: StepSeen[] = [];
  for (let i = 0; i < 50; i++) {
    const n = nextStep(cfg, steps);
    if ('done' in n) return { steps, done: n.done };
    steps.push({ rate: n.rate, outcome: n.rate <= ceiling ? 'good' : 'bad' });
  }
  throw new Error('the search did not end');
}

describe('capacity search', () => {
  it('grows by the factor, then narrows to within the resolution of the ceiling', () => {
    const r = search(530);
    expect(r.steps.slice(0, 4).map((s) => s.rate)).toEqual([100, 200, 400, 800]);
    expect(r.done).toBe('bracketed');
    const good = Math.max(...r.steps.filter((s) => s.outcome === 'good').map((s) => s.rate));
    const bad = Math.min(...r.steps.filter((s) => s.outcome === 'bad').map((s) => s.rate));
    expect(good).toBeLessThanOrEqual(530);
    expect(bad).toBeGreaterThan(530);
    expect((bad - good) / good).toBeLessThanOrEqual(0.05);
    expect(r.steps.length).toBeLessThan(12);
  });

  it('stops at maxRate when every step holds, and never offers more', () => {
    const r = search(1e9, { ...c, maxRate: 700 });
    expect(r.steps.map((s) => s.rate)).toEqual([100, 200, 400, 700]);
    expect(r.done).toBe('max rate');
  });

  it('a first step that fails is said plainly', () => {
    expect(search(50).done).toBe('fails at the first step');
  });

  it('stops on an inconclusive (generator-limited) step or a target that stopped answering', () => {
    expect(
      nextStep(c, [
        { rate: 100, outcome: 'good' },
        { rate: 200, outcome: 'inconclusive' },
      ]),
    ).toEqual({ done: 'generator' });
    expect(
      nextStep(c, [
        { rate: 100, outcome: 'good' },
        { rate: 200, outcome: 'bad', targetGone: true },
      ]),
    ).toEqual({ done: 'target stopped answering' });
  });

  it('slow rates keep a decimal', () => {
    expect(
      search(3.3, { ...c, startRate: 1, maxRate: 100 })
        .steps.map((s) => s.rate)
        .slice(0, 3),
    ).toEqual([1, 2, 4]);
  });
});

import { describe, expect, it } from 'vitest';
import { keyFigures } from '../record/figures.ts';
import { change } from './trend-section.ts';

describe('the change since the last run', () => {
  it('is worse when a latency rises and when a capacity falls', () => {
    expect(change(120, 100, 'higher')).toBe('<span class="bad">▲ +20% worse</span>');
    expect(change(80, 100, 'higher')).toBe('<span class="good">▼ -20% better</span>');
    expect(change(400, 500, 'lower')).toBe('<span class="bad">▼ -20% worse</span>');
  });
  it('from zero has no percentage; equal is equal; a missing side is blank', () => {
    expect(change(1, 0, 'higher')).toBe('<span class="bad">▲ worse</span>');
    expect(change(5, 5, 'higher')).toBe('<span class="dim">=</span>');
    expect(change(undefined, 5, 'higher')).toBe('');
    expect(change(5, undefined, 'higher')).toBe('');
  });
});

describe('key figures', () => {
  it('the worst RTO over every fault and the lost writes over every experiment', () => {
    const fault = (rtoMs?: number) => ({ rtoMs }) as never;
    const c = (rtos: (number | undefined)[], lost?: number) =>
      ({ faults: rtos.map(fault), ledger: lost === undefined ? undefined : { lost: Array(lost).fill({}) } }) as never;
    expect(keyFigures({ chaos: [c([900, undefined], 0), c([4000], 2), c([])] })).toEqual({
      rtoMs: 4000,
      lostWrites: 2,
    });
  });
  it('nothing measured, no figures (never zeros)', () => {
    expect(keyFigures({})).toEqual({});
    expect(keyFigures({ chaos: [{ faults: [] } as never] })).toEqual({});
  });
});

describe('key figures of an earlier version’s record', () => {
  it('keep what is numeric and drop what is not, never throwing', () => {
    expect(keyFigures({ capacity: { sustainableRps: 1000 } as never })).toEqual({ sustainableRps: 1000 });
    expect(keyFigures({ capacity: { sustainableRps: '1000' } as never })).toEqual({});
    expect(keyFigures({ load: { totals: { requests: 10, failed: 1 } } as never })).toEqual({});
  });
});

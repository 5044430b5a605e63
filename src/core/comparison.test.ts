import { describe, expect, it } from 'vitest';
import { holds, parseNumericComparison } from './comparison.ts';

describe('the one comparator', () => {
  it('parses every operator and number form; anything else is undefined', () => {
    expect(parseNumericComparison('<0.01')).toEqual({ op: '<', value: 0.01 });
    expect(parseNumericComparison(' >= 5 ')).toEqual({ op: '>=', value: 5 });
    expect(parseNumericComparison('==1e-3')).toEqual({ op: '==', value: 0.001 });
    expect(parseNumericComparison('!=-2')).toEqual({ op: '!=', value: -2 });
    expect(parseNumericComparison('< fast')).toBeUndefined();
    expect(parseNumericComparison('5')).toBeUndefined();
  });

  it('judges the boundary exactly', () => {
    expect([
      holds(5, { op: '<', value: 5 }),
      holds(5, { op: '<=', value: 5 }),
      holds(5, { op: '>', value: 5 }),
      holds(5, { op: '>=', value: 5 }),
      holds(5, { op: '==', value: 5 }),
      holds(5, { op: '!=', value: 5 }),
    ]).toEqual([false, true, false, true, true, false]);
  });
});

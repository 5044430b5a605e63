import { describe, expect, it } from 'vitest';
import { sameValue, shown } from './backup-restore-verify.ts';

// PostgreSQL type OIDs as node-postgres reports them in a result's fields.
const NUMERIC = 1700;
const INT8 = 20;
const INT4 = 23;
const FLOAT8 = 701;
const BOOL = 16;
const TEXT = 25;
const TIMESTAMPTZ = 1184;

// Issue 30 item 9: verify compared String()s, so numeric's "4999.00" never equalled 4999.
describe('a verification value against what is expected, typed', () => {
  it('numbers as numbers: numeric and bigint text included', () => {
    expect(sameValue('4999.00', NUMERIC, 4999)).toBe(true);
    expect(sameValue('4999.00', NUMERIC, '4999')).toBe(true);
    expect(sameValue('4999.50', NUMERIC, 4999)).toBe(false);
    expect(sameValue('2001', INT8, 2001)).toBe(true);
    expect(sameValue(2001, INT4, 2000)).toBe(false);
    expect(sameValue(0.1, FLOAT8, 0.1)).toBe(true);
    expect(sameValue('NaN', NUMERIC, 'NaN')).toBe(true);
    expect(sameValue('1', NUMERIC, true)).toBe(false);
    expect(sameValue('12', NUMERIC, 'twelve')).toBe(false);
  });

  it('booleans as booleans', () => {
    expect(sameValue(true, BOOL, true)).toBe(true);
    expect(sameValue(false, BOOL, true)).toBe(false);
    expect(sameValue(true, BOOL, 'true')).toBe(true);
    expect(sameValue(true, BOOL, 1)).toBe(false);
  });

  it('NULL equals only null', () => {
    expect(sameValue(null, NUMERIC, null)).toBe(true);
    expect(sameValue(null, NUMERIC, 0)).toBe(false);
    expect(sameValue(null, TEXT, '')).toBe(false);
    expect(sameValue(null, TEXT, 'null')).toBe(false);
    expect(sameValue('0', NUMERIC, null)).toBe(false);
  });

  it('timestamps as instants, text as text', () => {
    const t = new Date('2024-05-01T10:00:00Z');
    expect(sameValue(t, TIMESTAMPTZ, '2024-05-01T12:00:00+02:00')).toBe(true);
    expect(sameValue(t, TIMESTAMPTZ, '2024-05-01T10:00:01Z')).toBe(false);
    expect(sameValue('4999.00', TEXT, 4999)).toBe(false); // text is compared as text
    expect(sameValue('42', TEXT, 42)).toBe(true);
    expect(sameValue('paid', TEXT, 'paid')).toBe(true);
    expect(sameValue('paid ', TEXT, 'paid')).toBe(false);
  });

  it('shows values with what tells them apart', () => {
    expect(shown(null)).toBe('NULL');
    expect(shown('4999.50')).toBe('"4999.50"');
    expect(shown(4999)).toBe('4999');
    expect(shown('4999.50', NUMERIC)).toBe('4999.50');
  });
});

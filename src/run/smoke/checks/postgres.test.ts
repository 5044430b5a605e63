import { describe, expect, it } from 'vitest';
import { match } from '../expect.ts';
import { exactNumber, typedRows } from './postgres.ts';

describe('postgres values compared as the config writes them', () => {
  const res = {
    fields: [
      { name: 'count', dataTypeID: 20 },
      { name: 'total', dataTypeID: 1700 },
      { name: 'big', dataTypeID: 20 },
      { name: 'at', dataTypeID: 1184 },
      { name: 'ok', dataTypeID: 16 },
      { name: 'label', dataTypeID: 25 },
    ],
    rows: [
      {
        count: '1',
        total: '1234.50',
        big: '9007199254740993',
        at: new Date('2026-11-30T01:02:03.000Z'),
        ok: true,
        label: '1',
      },
    ],
  };

  it('count(*) equals 1, greaterThan and lessThan work on bigint and numeric', () => {
    const [row] = typedRows(res);
    expect(match('count', row!.count, true, { equals: 1 }).every((e) => e.ok)).toBe(true);
    expect(match('total', row!.total, true, { greaterThan: 1234, lessThan: 1235 }).every((e) => e.ok)).toBe(true);
    expect(match('count', row!.count, true, { equals: 2 })[0]!.ok).toBe(false);
  });

  it('a bigint beyond 2^53 stays an exact decimal string; text stays text', () => {
    const [row] = typedRows(res);
    expect(row!.big).toBe('9007199254740993');
    expect(match('big', row!.big, true, { equals: '9007199254740993' })[0]!.ok).toBe(true);
    expect(row!.label).toBe('1');
    expect(match('label', row!.label, true, { equals: 1 })[0]!.ok).toBe(false);
  });

  it('timestamps are ISO strings, booleans booleans', () => {
    const [row] = typedRows(res);
    expect(row!.at).toBe('2026-11-30T01:02:03.000Z');
    expect(match('ok', row!.ok, true, { equals: true })[0]!.ok).toBe(true);
  });

  it('exactNumber keeps only what a double holds exactly', () => {
    expect(exactNumber('0.10')).toBe(0.1);
    expect(exactNumber('-007')).toBe(-7);
    expect(exactNumber('12345678901234567890')).toBeUndefined();
    expect(exactNumber('0.1000000000000000000001')).toBeUndefined();
    expect(exactNumber('abc')).toBeUndefined();
  });
});

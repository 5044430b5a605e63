// Pure: a verification query's first value against what the experiment expects, compared as the
// typed values they are. node-postgres hands numeric, bigint and money columns over as text so
// as not to lose digits; compared as text, numeric's "4999.00" would never equal 4999. So: a
// number column (by its type) compares as a number, a boolean as a boolean, NULL only with null,
// a date or timestamp as an instant, anything else as text.

/** PostgreSQL type OIDs of columns that hold numbers: int2, int4, int8, oid, float4, float8, numeric. */
const NUMBER_TYPES = new Set([21, 23, 20, 26, 700, 701, 1700]);
const BOOLEAN_TYPE = 16;

export type Expected = string | number | boolean | null;

const NUMBER_TEXT = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$|^\s*[-+]?(Infinity|NaN)\s*$/;

/** A value as a message shows it, with its type where text alone would mislead. */
export function shown(v: unknown, typeId?: number): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return NUMBER_TYPES.has(typeId ?? -1) ? v : JSON.stringify(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const sameNumber = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/**
 * Does the column's value `actual` (of PostgreSQL type `typeId`) equal `expected`? Numbers compare
 * as numbers (a numeric string expected included: "4999.00" = 4999 = "4999"), booleans as
 * booleans ("true"/"false" as text read as one), NULL equals only null, dates and timestamps as
 * the instant a text expectation names, and everything else as text.
 */
export function sameValue(actual: unknown, typeId: number | undefined, expected: Expected): boolean {
  if (actual === null || actual === undefined) return expected === null;
  if (expected === null) return false;
  const numeric = typeof actual === 'number' || typeof actual === 'bigint' || NUMBER_TYPES.has(typeId ?? -1);
  if (numeric) {
    const a = Number(actual);
    if (typeof expected === 'number') return sameNumber(a, expected);
    if (typeof expected === 'string' && NUMBER_TEXT.test(expected)) return sameNumber(a, Number(expected));
    return false;
  }
  if (typeof actual === 'boolean' || typeId === BOOLEAN_TYPE) {
    const a = typeof actual === 'boolean' ? actual : actual === 't' || actual === 'true';
    if (typeof expected === 'boolean') return a === expected;
    if (expected === 'true' || expected === 'false') return a === (expected === 'true');
    return false;
  }
  if (actual instanceof Date) {
    if (typeof expected !== 'string') return false;
    const t = Date.parse(expected);
    return !Number.isNaN(t) && t === actual.getTime();
  }
  if (typeof expected !== 'string') {
    // A number or boolean expected of a text column: the column's text must say exactly that.
    return typeof actual === 'string' && actual === String(expected);
  }
  return (
    (typeof actual === 'string' ? actual : typeof actual === 'object' ? JSON.stringify(actual) : String(actual)) ===
    expected
  );
}

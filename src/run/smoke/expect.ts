// Expectations on a response: status, headers, a zod schema, JSONPath matchers, duration.
// Each returns an Expectation value; none throws.
import { JSONPath } from 'jsonpath-plus';
import { z } from 'zod';
import type { Matcher, PathMatcher } from '../../config/suite.ts';
import type { Expectation } from '../../record/schema.ts';
import { formatMs } from '../../core/duration.ts';

// Full values here: they are redacted before they are cut short for the record (runner.ts).
const show = (v: unknown) => JSON.stringify(v) ?? String(v);

export function expectStatus(actual: number, expected: number | string | (number | string)[] | undefined): Expectation {
  if (expected === undefined) {
    return { what: 'status is 2xx', ok: actual >= 200 && actual < 300, expected: '2xx', actual: String(actual) };
  }
  const list = Array.isArray(expected) ? expected : [expected];
  // A class like "2xx" matches every status of that hundred.
  const ok = list.some((s) => (typeof s === 'number' ? s === actual : Math.floor(actual / 100) === Number(s[0])));
  return { what: `status is ${list.join(' or ')}`, ok, expected: list.join(' | '), actual: String(actual) };
}

/** Applies one matcher to a value that may be missing. */
export function match(subject: string, value: unknown, present: boolean, m: Matcher): Expectation[] {
  const out: Expectation[] = [];
  const actual = present ? show(value) : '(missing)';
  if (m.exists !== undefined)
    out.push({ what: `${subject} ${m.exists ? 'exists' : 'is absent'}`, ok: present === m.exists, actual });
  if (m.equals !== undefined) {
    out.push({
      what: `${subject} equals ${show(m.equals)}`,
      ok: present && deepEqual(value, m.equals),
      expected: show(m.equals),
      actual,
    });
  }
  if (m.matches !== undefined) {
    let ok = false;
    try {
      ok = present && new RegExp(m.matches).test(typeof value === 'string' ? value : JSON.stringify(value));
    } catch {
      /* an invalid regex fails the expectation below with its text */
    }
    out.push({ what: `${subject} matches /${m.matches}/`, ok, actual });
  }
  if (m.contains !== undefined) {
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
    out.push({ what: `${subject} contains ${show(m.contains)}`, ok: present && text.includes(m.contains), actual });
  }
  if (m.lessThan !== undefined) {
    out.push({
      what: `${subject} < ${m.lessThan}`,
      ok: present && typeof value === 'number' && value < m.lessThan,
      actual,
    });
  }
  if (m.greaterThan !== undefined) {
    out.push({
      what: `${subject} > ${m.greaterThan}`,
      ok: present && typeof value === 'number' && value > m.greaterThan,
      actual,
    });
  }
  return out;
}

export function expectHeaders(
  headers: Headers | Record<string, string>,
  expected: Record<string, string | Matcher> | undefined,
): Expectation[] {
  if (!expected) return [];
  // Not `instanceof Headers`: undici's own Headers (the fetch that carries the trust) is another class than Node's global.
  const get = (k: string) =>
    (typeof headers.get === 'function'
      ? (headers as Headers).get(k)
      : (headers as Record<string, string>)[k.toLowerCase()]) ?? null;
  return Object.entries(expected).flatMap(([name, m]) => {
    const v = get(name);
    return match(`header ${name}`, v, v !== null, typeof m === 'string' ? { equals: m } : m);
  });
}

export function queryPath(json: unknown, path: string): { present: boolean; value: unknown } {
  const results = JSONPath({ path, json: json as object, wrap: true }) as unknown[];
  return results.length === 0
    ? { present: false, value: undefined }
    : { present: true, value: results.length === 1 ? results[0] : results };
}

export function expectBody(json: unknown, matchers: readonly PathMatcher[] | undefined): Expectation[] {
  if (!matchers) return [];
  return matchers.flatMap(({ path, ...m }) => {
    const { present, value } = queryPath(json, path);
    return match(path, value, present, m);
  });
}

export function expectSchema(json: unknown, schema: z.ZodType | undefined): Expectation[] {
  if (!schema) return [];
  const r = schema.safeParse(json);
  return [
    {
      what: 'body matches the schema',
      ok: r.success,
      ...(r.success ? {} : { actual: z.prettifyError(r.error).replace(/\n\s*/g, '; ') }),
    },
  ];
}

export function expectDuration(durationMs: number, maxMs: number | undefined): Expectation[] {
  if (maxMs === undefined) return [];
  return [
    {
      what: `answers within ${formatMs(maxMs)}`,
      ok: durationMs <= maxMs,
      expected: `<= ${formatMs(maxMs)}`,
      actual: formatMs(durationMs),
    },
  ];
}

/** Parses a body as JSON, or says in one line why it is not JSON. */
export function parseJson(
  text: string,
  truncated: boolean,
): { ok: true; value: unknown } | { ok: false; expectation: Expectation } {
  if (truncated)
    return {
      ok: false,
      expectation: { what: 'body is JSON', ok: false, actual: 'body exceeded the size limit and was cut off' },
    };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const excerpt = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    return {
      ok: false,
      expectation: {
        what: 'body is JSON',
        ok: false,
        actual: `not JSON (${(err as Error).message}): ${JSON.stringify(excerpt)}`,
      },
    };
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Headers as UndiciHeaders } from 'undici';
import { expectBody, expectDuration, expectHeaders, expectSchema, expectStatus, parseJson } from './expect.ts';

const body = { items: [{ id: 1, name: 'Anvil' }], count: 1, status: 'ok' };

describe('expectations', () => {
  it('status: default is any 2xx, or the listed codes', () => {
    expect(expectStatus(204, undefined).ok).toBe(true);
    expect(expectStatus(301, undefined).ok).toBe(false);
    expect(expectStatus(401, [401, 403]).ok).toBe(true);
  });

  it('JSONPath matchers: equals / exists / matches / lessThan / greaterThan / contains', () => {
    const results = expectBody(body, [
      { path: '$.items[0].name', equals: 'Anvil' },
      { path: '$.missing', exists: false },
      { path: '$.status', matches: '^o' },
      { path: '$.count', lessThan: 2, greaterThan: 0 },
      { path: '$.items[0].name', contains: 'nv' },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true, true]);
  });

  it('a failing matcher says what it got', () => {
    const [r] = expectBody(body, [{ path: '$.count', lessThan: 1 }]);
    expect(r).toMatchObject({ ok: false, what: '$.count < 1', actual: '1' });
    const [missing] = expectBody(body, [{ path: '$.nope', equals: 3 }]);
    expect(missing).toMatchObject({ ok: false, actual: '(missing)' });
  });

  it('a zod schema failure is one line naming the path', () => {
    const [r] = expectSchema(body, z.object({ count: z.string() }));
    expect(r!.ok).toBe(false);
    expect(r!.actual).toMatch(/count/);
    expect(r!.actual).not.toContain('\n');
  });

  it('max duration', () => {
    expect(expectDuration(120, 100)[0]!.ok).toBe(false);
    expect(expectDuration(80, 100)[0]!.ok).toBe(true);
  });

  it('parseJson explains a non-JSON body', () => {
    const r = parseJson('<html>', false);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.expectation.actual).toMatch(/^not JSON/);
  });
});

describe('header expectations', () => {
  it("read undici's Headers (the fetch that carries the trust), Node's global Headers and a plain record alike", () => {
    const want = { 'content-type': { matches: '^application/json' } };
    for (const headers of [
      new UndiciHeaders({ 'Content-Type': 'application/json; charset=utf-8' }),
      new Headers({ 'Content-Type': 'application/json' }),
      { 'content-type': 'application/json' },
    ]) {
      const [e] = expectHeaders(headers as Headers, want);
      expect(e).toMatchObject({ ok: true });
    }
    expect(expectHeaders(new UndiciHeaders({ 'content-type': 'text/html' }) as Headers, want)[0]).toMatchObject({
      ok: false,
    });
  });
});

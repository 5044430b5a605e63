import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor, truncate } from './redact.ts';

describe('Redactor', () => {
  it('replaces every registered secret, longest first, in deep values', () => {
    const r = new Redactor();
    r.add('abcd1234');
    r.add('abcd1234-long');
    expect(r.redactDeep({ a: ['x abcd1234-long y abcd1234'] })).toEqual({ a: [`x ${REDACTED} y ${REDACTED}`] });
  });

  it('registers URL passwords, raw and percent-encoded', () => {
    const r = new Redactor();
    r.addUrlCredentials('postgres://app:p%40ss-word@db:5432/app');
    expect(r.redact('pw=p@ss-word and p%40ss-word')).toBe(`pw=${REDACTED} and ${REDACTED}`);
  });

  it('redacts the start of a secret cut off by truncate()', () => {
    const r = new Redactor();
    r.add('eyJhbGciOiJIUzI1NiJ9.payload.signature');
    const cut = truncate('token: eyJhbGciOiJIUzI1NiJ9.payload.signature', 20);
    expect(cut).toBe('token: eyJhbGciOiJIU…');
    expect(r.redact(cut)).toBe(`token: ${REDACTED}…`);
  });

  it('ignores values too short to be secrets (they would redact noise)', () => {
    const r = new Redactor();
    r.add('ab');
    expect(r.redact('abc')).toBe('abc');
  });

  it('hides sensitive headers whole', () => {
    const r = new Redactor();
    expect(r.headers({ Authorization: 'Basic x', accept: 'json' })).toEqual({
      Authorization: REDACTED,
      accept: 'json',
    });
  });
});

import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../record/schema.ts';
import { smokeVerdict } from './smoke.ts';

const check = (suite: string, name: string, status: CheckResult['status']): CheckResult => ({
  suite,
  name,
  kind: 'http',
  status,
  startedAtMs: 0,
  durationMs: 3,
  attempts: 1,
  expectations: [],
  captured: [],
});

describe('the smoke verdict', () => {
  it('every check passed: pass, with how many', () => {
    const verdict = smokeVerdict([check('api', 'health', 'passed'), check('api', 'list', 'passed')]);
    expect(verdict).toMatchObject({
      id: 'smoke',
      kind: 'smoke',
      source: 'smoke',
      status: 'pass',
      observed: '2/2 passed',
      evidence: { samples: 2, from: '2 smoke checks' },
    });
    expect(verdict.detail).toBeUndefined();
  });

  it('one failed check fails it, and the detail names each failed check by suite and name', () => {
    const verdict = smokeVerdict([
      check('api', 'health', 'passed'),
      check('api', 'list', 'failed'),
      check('web', 'home', 'failed'),
    ]);
    expect(verdict).toMatchObject({
      status: 'fail',
      observed: '1/3 passed',
      detail: 'failed: api › list, web › home',
    });
  });

  it('every check failed: fail, 0 passed', () => {
    expect(smokeVerdict([check('api', 'health', 'failed')])).toMatchObject({
      status: 'fail',
      observed: '0/1 passed',
      evidence: { samples: 1, from: '1 smoke check' },
    });
  });

  it('no check ran: no-data, never a pass', () => {
    expect(smokeVerdict([])).toMatchObject({
      id: 'smoke',
      source: 'smoke',
      objective: 'all smoke checks pass',
      status: 'no-data',
      detail: 'no smoke check ran',
    });
  });
});

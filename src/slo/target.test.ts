import { describe, expect, it } from 'vitest';
import { unreachableVerdict } from './target.ts';

describe('a target that failed before the run', () => {
  it('is a failing verdict of kind target, naming the origin and why, backed by the one attempt', () => {
    const v = unreachableVerdict('https://127.0.0.1:8443', 'certificate has expired (notAfter 2020-01-02T00:00:00Z)');
    expect(v).toEqual({
      id: 'target reachable',
      kind: 'target',
      scope: 'run',
      source: 'slo',
      objective: 'the target accepts a connection the run trusts',
      status: 'fail',
      observed: 'https://127.0.0.1:8443 — certificate has expired (notAfter 2020-01-02T00:00:00Z)',
      evidence: { samples: 1, from: 'a connection to https://127.0.0.1:8443 before the first request' },
    });
  });
});

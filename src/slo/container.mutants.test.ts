import { describe, expect, it } from 'vitest';
import { containerFailedVerdict, containerLostVerdict, containerReadyVerdict } from './container.ts';

// Each case below pins what a surviving mutant changed (docs/mutation.md).
describe('the image under test, exactly as the record holds it', () => {
  it('pass: backed by the one answer, over the time it took', () => {
    expect(
      containerReadyVerdict(
        { image: 'api:1', imageId: 'sha256:0123456789abcdef0123', readyMs: 1200 },
        '/health',
        60_000,
      ),
    ).toEqual({
      id: 'container',
      kind: 'container',
      scope: 'run',
      source: 'slo',
      objective: 'the image under test starts and answers /health within 1m',
      status: 'pass',
      evidence: { samples: 1, coveredMs: 1200, from: 'an answer from api:1 below 500' },
      observed: 'api:1 (sha256:0123456789ab) answered in 1.20 s',
    });
  });

  it('fail: exited, or lost during the run', () => {
    expect(containerFailedVerdict({ why: 'exited 1', logs: 'bad port' }, '/', 5000)).toEqual({
      id: 'container',
      kind: 'container',
      scope: 'run',
      source: 'slo',
      objective: 'the image under test starts and answers / within 5.00 s',
      status: 'fail',
      observed: 'exited 1',
      detail: 'its last output: bad port',
    });
    expect(containerLostVerdict('redis:7', { why: 'exited 137', logs: '' }, '/', 5000)).toEqual({
      id: 'container',
      kind: 'container',
      scope: 'run',
      source: 'slo',
      objective:
        'the image under test starts and answers / within 5.00 s, and it and what it needs run until the end of the run',
      status: 'fail',
      observed: 'redis:7: exited 137',
      detail: 'no output of it could be read',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { containerFailedVerdict, containerLostVerdict, containerReadyVerdict } from './container.ts';

describe('the image under test', () => {
  it('pass: it answered; the verdict names the image and its id', () => {
    const v = containerReadyVerdict(
      { image: 'api:1', imageId: 'sha256:0123456789abcdef0123', readyMs: 1200 },
      '/health',
      60_000,
    );
    expect(v).toMatchObject({
      id: 'container',
      status: 'pass',
      observed: 'api:1 (sha256:0123456789ab) answered in 1.20 s',
    });
    expect(v.objective).toBe('the image under test starts and answers /health within 1m');
  });
  it('fail: it exited or never answered, with its last output as the evidence', () => {
    const v = containerFailedVerdict(
      { why: 'the container exited with code 1 before answering', logs: 'listen: bad port' },
      '/',
      5000,
    );
    expect(v).toMatchObject({
      status: 'fail',
      observed: 'the container exited with code 1 before answering',
      detail: 'its last output: listen: bad port',
    });
    expect(containerFailedVerdict({ why: 'x', logs: '' }, '/', 5000).detail).toBe('it wrote nothing');
  });
  it('fail: up at the start, gone by the end (it died, or the engine stopped answering)', () => {
    const v = containerLostVerdict(
      'api:1',
      { why: 'the container exited with code 137 (out of memory) during the run', logs: 'killed' },
      '/health',
      60_000,
    );
    expect(v).toMatchObject({
      id: 'container',
      status: 'fail',
      observed: 'api:1: the container exited with code 137 (out of memory) during the run',
      detail: 'its last output: killed',
    });
    expect(v.objective).toBe(
      'the image under test starts and answers /health within 1m, and it and what it needs run until the end of the run',
    );
    expect(containerLostVerdict('redis:7', { why: 'x', logs: '' }, '/', 1000).detail).toBe(
      'no output of it could be read',
    );
  });
});

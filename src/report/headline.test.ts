import { describe, expect, it } from 'vitest';
import type { RunRecord, Verdict } from '../record/schema.ts';
import { headline } from './headline.ts';

const run = (status: RunRecord['status'], verdicts: Verdict[], errors: string[] = []) =>
  ({ status, verdicts, errors }) as unknown as RunRecord;
const v = (id: string, status: Verdict['status'], observed: string, objective = id): Verdict => ({
  id,
  source: 'slo',
  objective,
  status,
  observed,
});

describe('the answer first', () => {
  it('a pass names the figures nearest the objectives', () => {
    const r = run('passed', [
      v('smoke', 'pass', '11/11 passed'),
      v('http_req_duration p(95)<50', 'pass', 'p(95)=2.65 ms', 'p(95)<50'),
      v('db failover › rto 1.1', 'pass', '9.11 s', 'RTO <30s'),
      v('db failover › rpo', 'pass', '0 acknowledged writes lost (of 826)', 'RPO 0 writes'),
    ]);
    expect(headline(r)).toBe(
      'The deploy may stay: all 4 verdicts pass — http_req_duration p(95)<50 p(95)=2.65 ms; db failover › rto 1.1 9.11 s (RTO <30s); db failover › rpo 0 acknowledged writes lost (of 826) (RPO 0 writes).',
    );
  });

  it('a failure says not to keep the deploy, failing verdicts first', () => {
    const r = run('failed', [
      v('smoke', 'pass', '11/11'),
      v('dropped_iterations', 'fail', '801 of 5000 arrivals dropped', 'every scheduled arrival was sent'),
      { id: 'rpo', source: 'slo', objective: 'RPO 0s', status: 'no-data' },
    ]);
    expect(headline(r)).toBe(
      'Do not keep this deploy: 2 of 3 verdicts fail — dropped_iterations 801 of 5000 arrivals dropped (every scheduled arrival was sent); rpo no-data.',
    );
  });

  it('a harness error and an interrupt say so; no verdict is no pass', () => {
    expect(headline(run('error', [], ['target unreachable before start']))).toBe(
      'The run could not finish: target unreachable before start.',
    );
    expect(headline(run('aborted', [], ['interrupted by SIGINT']))).toMatch(
      /^Interrupted before the end: interrupted by SIGINT/,
    );
    expect(headline(run('failed', []))).toBe('Nothing was judged: no verdict, which fails.');
  });
});

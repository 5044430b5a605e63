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
  it('a pass names each kind of figure against its bound', () => {
    const r = run('passed', [
      v('smoke', 'pass', '11/11 passed'),
      v('http_req_duration p(95)<50', 'pass', 'p(95)=2.65 ms', 'p(95)<50'),
      v('db failover › rto 1.1', 'pass', '9.11 s', 'RTO <30s'),
      v('db failover › rpo', 'pass', '0 acknowledged writes lost (of 826)', 'RPO 0 writes'),
      v('worker kill › uptime api', 'pass', '99.20% of the time (…)', 'uptime >=95%'),
    ]);
    expect(headline(r)).toBe(
      'The deploy may stay: all 5 verdicts pass — p(95) 2.65 ms of 50 ms; db failover RTO 9.11 s of 30 s; db failover 0 of 826 acknowledged writes lost; worker kill uptime api 99.20% (>=95%).',
    );
  });

  it('of several latencies and recoveries, the one nearest its bound is named', () => {
    const r = run('passed', [
      v('http_req_duration{name:health} p(95)<50', 'pass', 'p(95)=2.65 ms', 'p(95)<50'),
      v('http_req_duration{name:items} p(99)<100', 'pass', 'p(99)=90.1 ms', 'p(99)<100'),
      v('http_req_duration{name:home} p(95)<1s', 'pass', 'p(95)=120 ms', 'p(95)<1s'),
      v('worker kill › rto 1.1', 'pass', '0 s: no outage seen', 'RTO <10s'),
      v('db failover › rto 1.1', 'pass', '4.20 s', 'RTO <30s'),
    ]);
    expect(headline(r)).toBe(
      'The deploy may stay: all 5 verdicts pass — items p(99) 90.1 ms of 100 ms; db failover RTO 4.20 s of 30 s.',
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

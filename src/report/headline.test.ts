import { describe, expect, it } from 'vitest';
import type { RunRecord, Verdict } from '../record/schema.ts';
import { decided, inPhase, measured, noData } from '../slo/verdict.ts';
import { headline } from './headline.ts';

const run = (status: RunRecord['status'], verdicts: Verdict[], errors: string[] = [], command = 'gate') =>
  ({ status, verdicts, errors, command }) as unknown as RunRecord;
const evidence = { samples: 100, from: 'a test' };
const latency = (id: string, value: number, bound: number) =>
  measured(
    { id, kind: 'threshold', objective: id.slice(id.lastIndexOf(' ') + 1) },
    { value, unit: 'ms', bound: { op: '<', value: bound }, evidence },
  );
const rto = (phase: string, value: number, bound: number) =>
  inPhase(
    measured(
      { id: 'rto 1.1', kind: 'rto', objective: `RTO <${bound / 1000}s` },
      { value, unit: 'ms', bound: { op: '<', value: bound }, evidence },
    ),
    phase,
  );
const smoke = decided({ id: 'smoke', kind: 'smoke', objective: 'all smoke checks pass' }, true, evidence, {
  observed: '11/11 passed',
});

describe('the answer first', () => {
  it('a pass names each kind of figure against its bound, read from the verdicts’ fields', () => {
    const r = run('passed', [
      smoke,
      latency('http_req_duration p(95)<50', 2.65, 50),
      rto('db failover', 9110, 30_000),
      inPhase(
        measured(
          { id: 'rpo', kind: 'rpo', objective: 'RPO 0 writes' },
          {
            value: 0,
            unit: 'count',
            bound: { op: '<=', value: 0 },
            evidence: { samples: 826, from: 'the write ledger' },
            observed: '0 of 826 acknowledged writes lost',
          },
        ),
        'db failover',
      ),
      inPhase(
        measured(
          { id: 'uptime api', kind: 'uptime', objective: 'uptime >=95%' },
          { value: 0.992, unit: 'ratio', bound: { op: '>=', value: 0.95 }, evidence },
        ),
        'worker kill',
      ),
    ]);
    expect(headline(r)).toBe(
      'The deploy may stay: all 5 verdicts pass — p(95) 2.65 ms of 50 ms; db failover RTO 9.11 s of 30.0 s; db failover 0 of 826 acknowledged writes lost; worker kill uptime 99.20% (>=95.00%).',
    );
  });

  it('of several latencies and recoveries, the one nearest its bound is named', () => {
    const r = run('passed', [
      latency('http_req_duration{name:health} p(95)<50', 2.65, 50),
      latency('http_req_duration{name:items} p(99)<100', 90.1, 100),
      latency('http_req_duration{name:home} p(95)<1s', 120, 1000),
      rto('worker kill', 0, 10_000),
      rto('db failover', 4200, 30_000),
    ]);
    expect(headline(r)).toBe(
      'The deploy may stay: all 5 verdicts pass — items p(99) 90 ms of 100 ms; db failover RTO 4.20 s of 30.0 s.',
    );
  });

  it('a failure says not to keep the deploy, failing verdicts first', () => {
    const r = run('failed', [
      smoke,
      decided(
        { id: 'dropped_iterations', kind: 'dropped', objective: 'every scheduled arrival was sent' },
        false,
        evidence,
        { observed: '801 of 5000 arrivals dropped' },
      ),
      noData({ id: 'rpo', kind: 'rpo', objective: 'RPO 0s' }, 'no ledger'),
    ]);
    expect(headline(r)).toBe(
      'Do not keep this deploy: 2 of 3 verdicts fail — dropped_iterations 801 of 5000 arrivals dropped (every scheduled arrival was sent); rpo no-data.',
    );
  });

  it('each command speaks of what it judged: a chaos run or a drill is not a deploy, a dry run judges nothing', () => {
    const failing = [rto('db failover', 45_000, 30_000)];
    expect(headline(run('failed', failing, [], 'chaos'))).toMatch(/^The system did not hold under the experiment: /);
    expect(headline(run('failed', failing, [], 'drill'))).toMatch(/^The DR plan was not met: /);
    expect(headline(run('passed', [rto('db failover', 4200, 30_000)], [], 'chaos'))).toMatch(
      /^The system held under the experiment: all 1 verdicts pass/,
    );
    const dry = decided({ id: 'dry-run', kind: 'dry-run', objective: 'resolve what it would hit' }, true, evidence, {
      observed: '2 injection(s) resolved, none made',
    });
    expect(headline(run('passed', [dry], [], 'chaos'))).toBe(
      'Dry run: nothing was injected and nothing judged: 2 injection(s) resolved, none made.',
    );
    for (const command of ['chaos', 'drill', 'capacity', 'demo'])
      expect(headline(run('passed', [rto('x', 1, 30_000)], [], command))).not.toMatch(/deploy may stay/);
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

import { describe, expect, it } from 'vitest';
import { VerdictKind, type Verdict } from '../record/schema.ts';
import { aVerdict } from '../slo/verdict.test-util.ts';
import { byPhase, humanName, phaseOf } from './verdict-names.ts';

const v = (id: string, kind: VerdictKind, status: Verdict['status'] = 'pass', phase?: string): Verdict =>
  aVerdict({ id: phase ? `${phase} › ${id}` : id, kind, status, ...(phase ? { phase } : {}) });

describe('verdicts as a reader scans them', () => {
  it('names them from their kind, filled in with what the id says', () => {
    expect(humanName(v('rto 1.1', 'rto'))).toBe('Recovery time after fault 1.1');
    expect(humanName(v('rpo', 'rpo', 'pass', 'DB failover'))).toBe('Acknowledged writes lost (RPO)');
    expect(humanName(v('http_req_duration{name:orders} p(95)<50', 'threshold'))).toBe('Latency of orders: p(95)<50');
    expect(humanName(v('db_query_failed rate<0.01', 'threshold'))).toBe('Failed requests: rate<0.01');
    expect(humanName(v('alert HighErrorRate fires', 'alert'))).toBe('Alert HighErrorRate fired');
    expect(humanName(v('rpo restore 2.1', 'restore-rpo'))).toBe('Data lost by restore 2.1 (RPO)');
    expect(humanName({ ...v('http_req_failed rate<0.01', 'threshold'), byDefault: true })).toBe(
      'Failed requests: rate<0.01 (by default)',
    );
  });

  it('every kind has a name and a phase: a new kind cannot land silently under "Load"', () => {
    const load = VerdictKind.options.filter((k) => LOAD_KINDS.has(k));
    const others = VerdictKind.options.filter((k) => !LOAD_KINDS.has(k));
    for (const kind of VerdictKind.options) expect(humanName(v(`${kind} x`, kind))).not.toBe('');
    for (const kind of load) expect(phaseOf(v(`${kind} x`, kind))).toBe('Load');
    for (const kind of others) expect(phaseOf(v(`${kind} x`, kind))).not.toBe('Load');
  });

  it('groups by phase: the step when there is one, else the scope of its kind', () => {
    expect(phaseOf(v('rto 1.1', 'rto', 'pass', 'worker kill'))).toBe('worker kill');
    expect(phaseOf(v('smoke', 'smoke'))).toBe('Smoke checks');
    expect(phaseOf(v('http_req_failed rate<0.01', 'threshold'))).toBe('Load');
    expect(phaseOf(v('container', 'container', 'fail'))).toBe('Target and image under test');
    expect(phaseOf(v('steady-state', 'steady-state'))).toBe('Chaos experiment');
    expect(phaseOf(v('DR plan RTO', 'plan-rto'))).toBe('DR plan');
  });

  it('puts phases with a failure first, and failures first within a phase; order otherwise kept', () => {
    const groups = byPhase([
      v('smoke', 'smoke'),
      v('load', 'load'),
      v('http_req_duration p(95)<200', 'threshold', 'fail'),
      v('rto 1.1', 'rto', 'pass', 'DB failover'),
      v('rpo', 'rpo', 'no-data', 'DB failover'),
    ]);
    expect(groups.map((g) => g.phase)).toEqual(['Load', 'DB failover', 'Smoke checks']);
    expect(groups[0]!.verdicts.map((x) => x.id)).toEqual(['http_req_duration p(95)<200', 'load']);
    expect(groups[1]!.verdicts.map((x) => x.id)).toEqual(['DB failover › rpo', 'DB failover › rto 1.1']);
  });
});

const LOAD_KINDS = new Set<VerdictKind>(['load', 'threshold', 'engine', 'generator', 'dropped', 'shards']);

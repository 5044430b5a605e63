import { describe, expect, it } from 'vitest';
import type { Verdict } from '../record/schema.ts';
import { byPhase, humanName, phaseOf } from './verdict-names.ts';

const v = (id: string, status: Verdict['status'] = 'pass', source: Verdict['source'] = 'slo'): Verdict =>
  ({ id, status, source, objective: 'x' }) as Verdict;

describe('verdicts as a reader scans them', () => {
  it('names them as a person would, keeping what the id says', () => {
    expect(humanName(v('rto 1.1'))).toBe('Recovery time after fault 1.1');
    expect(humanName(v('DB failover › rpo'))).toBe('Acknowledged writes lost (RPO)');
    expect(humanName(v('http_req_duration{name:orders} p(95)<50', 'pass', 'threshold'))).toBe(
      'Latency of orders: p(95)<50',
    );
    expect(humanName(v('alert HighErrorRate fires'))).toBe('Alert HighErrorRate fired');
    expect(humanName(v('something new'))).toBe('something new');
  });

  it('groups by phase: the step before " › ", smoke, load, chaos', () => {
    expect(phaseOf(v('worker kill › rto 1.1'))).toBe('worker kill');
    expect(phaseOf(v('smoke', 'pass', 'smoke'))).toBe('Smoke checks');
    expect(phaseOf(v('http_req_failed rate<0.01', 'pass', 'threshold'))).toBe('Load');
    expect(phaseOf(v('container', 'fail', 'slo'))).toBe('Image under test');
    expect(phaseOf(v('steady-state'))).toBe('Chaos experiment');
  });

  it('puts phases with a failure first, and failures first within a phase; order otherwise kept', () => {
    const groups = byPhase([
      v('smoke', 'pass', 'smoke'),
      v('load', 'pass', 'consistency'),
      v('http_req_duration p(95)<200', 'fail', 'threshold'),
      v('DB failover › rto 1.1', 'pass'),
      v('DB failover › rpo', 'no-data'),
    ]);
    expect(groups.map((g) => g.phase)).toEqual(['Load', 'DB failover', 'Smoke checks']);
    expect(groups[0]!.verdicts.map((x) => x.id)).toEqual(['http_req_duration p(95)<200', 'load']);
    expect(groups[1]!.verdicts.map((x) => x.id)).toEqual(['DB failover › rpo', 'DB failover › rto 1.1']);
  });
});

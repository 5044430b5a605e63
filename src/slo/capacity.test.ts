import { describe, expect, it } from 'vitest';
import type { CapacityResult } from '../record/schema.ts';
import { capacityVerdicts } from './capacity.ts';

const cap = (o: Partial<CapacityResult>) =>
  ({
    objectives: ['p(95)<200'],
    steps: [{ offeredRps: 100 }],
    sustainableRps: 800,
    statement: 'sustainable: 800 req/s',
    trend: [],
    ...o,
  }) as unknown as CapacityResult;
const byId = (c: CapacityResult) => Object.fromEntries(capacityVerdicts(c, { tolerance: 0.1 }).map((v) => [v.id, v]));

describe('capacity verdicts', () => {
  it('pass: a sustainable rate found; no-data: no step ran; fail: none sustainable', () => {
    expect(byId(cap({})).capacity).toMatchObject({ status: 'pass', observed: 'sustainable: 800 req/s' });
    expect(byId(cap({ steps: [], statement: 'the target did not answer' })).capacity).toMatchObject({
      status: 'no-data',
    });
    expect(byId(cap({ sustainableRps: 0, statement: 'not sustainable at 50 req/s' })).capacity!.status).toBe('fail');
  });

  it('the generator as the limit is never the target’s capacity: fail, and no trend judged', () => {
    const v = byId(cap({ limitedBy: 'generator', trend: [{ runId: 'a', startedAt: '', sustainableRps: 900 }] }));
    expect(v.capacity).toMatchObject({ status: 'fail' });
    expect(v.capacity!.detail).toMatch(/the generator, not the target, was the limit/);
    expect(v['capacity trend']).toBeUndefined();
  });

  it('trend: against the median of earlier runs within the tolerance — 10 % down fails, within passes', () => {
    const trend = [700, 1000, 1000].map((r, i) => ({ runId: String(i), startedAt: '', sustainableRps: r }));
    expect(byId(cap({ trend, sustainableRps: 900 }))['capacity trend']).toMatchObject({
      status: 'pass',
      observed: '900 req/s (-10.0%)',
    });
    const v = byId(cap({ trend, sustainableRps: 899 }))['capacity trend']!;
    expect(v).toMatchObject({ status: 'fail', observed: '899 req/s (-10.1%)' });
    expect(v.objective).toBe('capacity ≥ 90% of the median of the last 3 run(s) (1 000 req/s), i.e. ≥ 900 req/s');
  });
});

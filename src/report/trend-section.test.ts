import { describe, expect, it } from 'vitest';
import { keyFigures } from '../record/figures.ts';
import type { RunRecord } from '../record/schema.ts';
import { change, trendSection } from './trend-section.ts';

describe('the change since the last run', () => {
  it('is worse when a latency rises and when a capacity falls', () => {
    expect(change(120, 100, 'higher')).toBe('<span class="bad">▲ +20% worse</span>');
    expect(change(80, 100, 'higher')).toBe('<span class="good">▼ -20% better</span>');
    expect(change(400, 500, 'lower')).toBe('<span class="bad">▼ -20% worse</span>');
  });
  it('from zero has no percentage; equal is equal; a missing side is blank', () => {
    expect(change(1, 0, 'higher')).toBe('<span class="bad">▲ worse</span>');
    expect(change(5, 5, 'higher')).toBe('<span class="dim">=</span>');
    expect(change(undefined, 5, 'higher')).toBe('');
    expect(change(5, undefined, 'higher')).toBe('');
  });
});

describe('a latency that fell because requests failed fast', () => {
  it('is never better when failures rose: not comparable, in red', () => {
    expect(change(4, 200, 'higher', true)).toBe('<span class="bad">▼ -98% not comparable: failures rose</span>');
    // Worse stays worse.
    expect(change(300, 200, 'higher', true)).toBe('<span class="bad">▲ +50% worse</span>');
  });

  it('the trend row of a run whose app died: p95 not comparable, failed requests and answered/s worse', () => {
    // The last gate: 50 req/s answered in 200 ms. This one: 66 % refused in 1 ms, p95 4 ms.
    const r = {
      runId: 'now',
      command: 'gate',
      status: 'failed',
      startedAt: '2026-12-03T10:00:00Z',
      environment: { name: 'staging' },
      load: {
        durationMs: 60_000,
        totals: { requests: 3000, failed: 1980 },
        all: { latency: { p95Ms: 4 } },
      },
      trend: [
        {
          runId: 'before',
          startedAt: '2026-12-02T10:00:00Z',
          status: 'passed',
          figures: { p95Ms: 200, errorRate: 0, throughputRps: 50 },
        },
      ],
    } as unknown as RunRecord;
    const html = trendSection(r);
    const changes = html.slice(html.indexOf('change since the last run'));
    expect(changes).not.toContain('better');
    expect(changes).toContain('<span class="bad">▼ -98% not comparable: failures rose</span>');
    expect(changes).toContain('<span class="bad">▲ worse</span>'); // failed requests 0 → 66 %
    expect(changes).toContain('<span class="bad">▼ -66% worse</span>'); // 50 → 17 answered/s
  });

  it('a p95 that fell with failures steady is better', () => {
    expect(change(80, 100, 'higher', false)).toBe('<span class="good">▼ -20% better</span>');
  });
});

describe('key figures', () => {
  it('the worst RTO over every fault and the lost writes over every experiment', () => {
    const fault = (rtoMs?: number) => ({ rtoMs }) as never;
    const c = (rtos: (number | undefined)[], lost?: number) =>
      ({ faults: rtos.map(fault), ledger: lost === undefined ? undefined : { lost: Array(lost).fill({}) } }) as never;
    expect(keyFigures({ chaos: [c([900, undefined], 0), c([4000], 2), c([])] })).toEqual({
      rtoMs: 4000,
      lostWrites: 2,
    });
  });
  it('throughput is what was answered without failure; uptime is the worst probe’s', () => {
    const load = { durationMs: 10_000, totals: { requests: 500, failed: 330 }, all: {} } as never;
    const probe = (total: number, ok: number, healthyMs?: number, coveredMs?: number) =>
      ({ total, ok, ...(coveredMs ? { healthyMs, coveredMs } : {}) }) as never;
    expect(keyFigures({ load })).toEqual({ errorRate: 0.66, throughputRps: 17 });
    expect(
      keyFigures({
        chaos: [{ faults: [], probes: [probe(10, 9), probe(20, 20, 8000, 10_000), probe(0, 0)] } as never],
      }),
    ).toEqual({ uptime: 0.8 });
  });
  it('nothing measured, no figures (never zeros)', () => {
    expect(keyFigures({})).toEqual({});
    expect(keyFigures({ chaos: [{ faults: [] } as never] })).toEqual({});
  });
});

describe('key figures of an earlier version’s record', () => {
  it('keep what is numeric and drop what is not, never throwing', () => {
    expect(keyFigures({ capacity: { sustainableRps: 1000 } as never })).toEqual({ sustainableRps: 1000 });
    expect(keyFigures({ capacity: { sustainableRps: '1000' } as never })).toEqual({});
    expect(keyFigures({ load: { totals: { requests: 10, failed: 1 } } as never })).toEqual({});
  });
});

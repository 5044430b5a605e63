import { describe, expect, it } from 'vitest';
import { measureRpo, measureRto, uptime, type Sample } from './recovery.ts';

const series = (pattern: string, stepMs = 100, startMs = 0): Sample[] => [...pattern].map((c, i) => ({ t: startMs + i * stepMs, ok: c === '.', latencyMs: 1 }));

describe('RTO', () => {
  it('runs from the injection to the start of N healthy samples in a row after the outage began', () => {
    // injected at 300 ms; failures from 500 ms; a lone success at 900 ms does not count; healthy from 1100 ms.
    const s = series('.....xxxx.x.....');
    expect(measureRto(s, 300, 3)).toMatchObject({ rtoMs: 800, outageStartMs: 500, recoveredAtMs: 1100 });
  });

  it('no failure after the injection is an RTO of 0, said plainly', () => {
    expect(measureRto(series('........'), 200, 3)).toMatchObject({ rtoMs: 0, note: expect.stringMatching(/no failed sample/) });
  });

  it('never recovering is undefined, never a number', () => {
    expect(measureRto(series('...xxxx.x'), 100, 3).rtoMs).toBeUndefined();
  });
});

describe('uptime', () => {
  it('is healthy samples over all samples in the window', () => {
    expect(uptime(series('..xx......'), 0, 900)).toEqual({ ratio: 0.8, ok: 8, total: 10 });
    expect(uptime([], 0, 10).ratio).toBeUndefined();
  });
});

describe('RPO', () => {
  it('counts only acknowledged writes that are missing; a failed write found later is recovered', () => {
    const ledger = [
      { seq: 1, t: 0, outcome: 'acknowledged' as const },
      { seq: 2, t: 20, outcome: 'acknowledged' as const },
      { seq: 3, t: 40, outcome: 'acknowledged' as const },
      { seq: 4, t: 60, outcome: 'indeterminate' as const },
      { seq: 5, t: 80, outcome: 'failed' as const },
      { seq: 6, t: 100, outcome: 'acknowledged' as const },
    ];
    const r = measureRpo(ledger, new Set([1, 4, 6]));
    expect(r.lost).toEqual([{ seq: 2, atMs: 20 }, { seq: 3, atMs: 40 }]);
    expect(r.lostSpanMs).toBe(20);
    expect(r).toMatchObject({ acknowledged: 4, failed: 1, indeterminate: 1, recovered: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import {
  bothRecovered,
  ledgerSeries,
  rtoFromLoad,
  measureRpo,
  measureRto,
  restoreRpoFromLedger,
  uptime,
  type LedgerEntry,
  type Sample,
} from './recovery.ts';
import type { RestoreRecord } from '../record/schema.ts';

const series = (pattern: string, stepMs = 100, startMs = 0): Sample[] =>
  [...pattern].map((c, i) => ({ t: startMs + i * stepMs, ok: c === '.', latencyMs: 1 }));

describe('RTO', () => {
  it('runs from the injection to the start of N healthy samples in a row after the outage began', () => {
    // injected at 300 ms; failures from 500 ms; a lone success at 900 ms does not count; healthy from 1100 ms.
    const s = series('.....xxxx.x.....');
    expect(measureRto(s, 300, 3)).toMatchObject({ rtoMs: 800, outageStartMs: 500, recoveredAtMs: 1100 });
  });

  it('no failure after the injection is an RTO of 0, said plainly', () => {
    expect(measureRto(series('........'), 200, 3)).toMatchObject({
      rtoMs: 0,
      note: expect.stringMatching(/no failed sample/),
    });
  });

  it('never recovering is undefined, never a number', () => {
    expect(measureRto(series('...xxxx.x'), 100, 3).rtoMs).toBeUndefined();
  });
});

describe('RTO seen by the API and by a probe', () => {
  it('is the later of the two: the API said whole at 1.2 s, writes came back at 2.5 s', () => {
    const writes = series('.....xxxxxxxxxxxxxxxxxxxxxx.....', 100); // failing 500 ms … 2.7 s
    const users = measureRto(writes, 200, 3);
    expect(users.rtoMs).toBe(2500);
    expect(bothRecovered(1200, users)).toBe(2500);
  });

  it('the API later than the users: the API counts (pods still replacing)', () => {
    expect(bothRecovered(4000, measureRto(series('....'), 100, 3))).toBe(4000);
  });

  it('no recovery on either side is no RTO, never a number', () => {
    expect(bothRecovered(undefined, measureRto(series('...'), 0, 3))).toBeUndefined();
    expect(bothRecovered(900, measureRto(series('...xxxx.x'), 100, 3))).toBeUndefined();
    expect(bothRecovered(900, measureRto([], 100, 3))).toBeUndefined();
  });
});

describe('RTO with samples that straddle the injection', () => {
  it('a sample in flight at the injection that then fails starts the outage', () => {
    // The sample started at 200 ms hangs for 900 ms: in flight at the injection (300 ms), failed.
    const s: Sample[] = [
      { t: 0, ok: true, latencyMs: 5 },
      { t: 100, ok: true, latencyMs: 5 },
      { t: 200, ok: false, latencyMs: 900 },
      ...series('...', 100, 1100),
    ];
    expect(measureRto(s, 300, 3)).toMatchObject({ rtoMs: 800, outageStartMs: 300, recoveredAtMs: 1100 });
  });

  it('a sample that ended before the injection says nothing about it', () => {
    const s: Sample[] = [{ t: 100, ok: false, latencyMs: 50 }, ...series('....', 100, 300)];
    expect(measureRto(s, 250, 3).rtoMs).toBe(0);
  });

  it('samples reported out of order (a hang finishing late) are judged in schedule order', () => {
    const s: Sample[] = [
      ...series('..', 100, 0),
      ...series('...', 100, 600),
      { t: 200, ok: false, latencyMs: 5000 },
      { t: 300, ok: false, latencyMs: 5000 },
    ];
    expect(measureRto(s, 150, 3)).toMatchObject({ rtoMs: 450, recoveredAtMs: 600 });
  });
});

describe('uptime', () => {
  it('is healthy time over covered time, each sample covering its interval', () => {
    expect(uptime(series('..xx......'), 0, 1000, 100)).toEqual({
      ratio: 0.8,
      healthyMs: 800,
      coveredMs: 1000,
      ok: 8,
      total: 10,
    });
    expect(uptime([], 0, 10, 100).ratio).toBeUndefined();
  });

  it('a 10 s hang in 60 s reads 83.3 %, not the 96 % a count of finished samples gives', () => {
    // 1 s interval, fixed schedule: the hang's samples still fire every second and each fails.
    const s = [
      ...series('.'.repeat(20), 1000, 0),
      ...series('x'.repeat(10), 1000, 20_000),
      ...series('.'.repeat(30), 1000, 30_000),
    ];
    expect(uptime(s, 0, 60_000, 1000).ratio).toBeCloseTo(50 / 60, 6);
  });

  it('clips the first and last samples to the window', () => {
    const u = uptime(series('x..x', 1000, 0), 500, 3500, 1000);
    expect(u.coveredMs).toBe(3000);
    expect(u.healthyMs).toBe(2000);
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
    expect(r.lost).toEqual([
      { seq: 2, atMs: 20 },
      { seq: 3, atMs: 40 },
    ]);
    // From the last surviving acknowledged write before the first loss (seq 1, 0 ms) to the last lost ack (40 ms).
    expect(r.lostSpanMs).toBe(40);
    expect(r).toMatchObject({ acknowledged: 4, failed: 1, indeterminate: 1, recovered: 1 });
  });

  it('one lost acknowledged write is never an RPO of 0', () => {
    const ledger = [
      { seq: 1, t: 0, ackAtMs: 4, outcome: 'acknowledged' as const },
      { seq: 2, t: 500, ackAtMs: 503, outcome: 'acknowledged' as const },
      { seq: 3, t: 1000, ackAtMs: 1004, outcome: 'acknowledged' as const },
    ];
    const r = measureRpo(ledger, new Set([1, 3]));
    expect(r.lost).toEqual([{ seq: 2, atMs: 503 }]);
    expect(r.lostSpanMs).toBe(499);
  });

  it('losing the very first write spans from its send; nothing lost is 0', () => {
    const first = measureRpo([{ seq: 1, t: 10, ackAtMs: 10, outcome: 'acknowledged' }], new Set());
    expect(first.lostSpanMs).toBe(1);
    const none = measureRpo([{ seq: 1, t: 10, ackAtMs: 12, outcome: 'acknowledged' }], new Set([1]));
    expect(none).toMatchObject({ lost: [], lostSpanMs: 0 });
  });
});

describe('the ledger second by second', () => {
  it('counts each write in the second it was sent (before the start too), lost ones among the acknowledged, gaps as zeros', () => {
    const s = ledgerSeries(
      [
        { seq: 1, t: 1000, ackAtMs: 1005, outcome: 'acknowledged' },
        { seq: 2, t: 1500, ackAtMs: 1505, outcome: 'acknowledged' },
        { seq: 3, t: 2100, outcome: 'failed' },
        { seq: 4, t: 4200, outcome: 'indeterminate' },
        { seq: 5, t: 4900, ackAtMs: 4950, outcome: 'acknowledged' },
        { seq: 0, t: 800, ackAtMs: 810, outcome: 'acknowledged' },
      ],
      1000,
      new Set([2]),
    );
    expect(s).toEqual([
      { t: -1, acknowledged: 1, failed: 0, indeterminate: 0, lost: 0 },
      { t: 0, acknowledged: 2, failed: 0, indeterminate: 0, lost: 1 },
      { t: 1, acknowledged: 0, failed: 1, indeterminate: 0, lost: 0 },
      { t: 2, acknowledged: 0, failed: 0, indeterminate: 0, lost: 0 },
      { t: 3, acknowledged: 1, failed: 0, indeterminate: 1, lost: 0 },
    ]);
  });
  it('is empty without writes', () => {
    expect(ledgerSeries([], 0)).toEqual([]);
  });
});

describe('the RTO the load saw', () => {
  const secs = (pattern: string) =>
    [...pattern].map((c, t) => ({ t, requests: c === '-' ? 0 : 10, failed: c === 'x' ? 4 : 0 }));
  it('from the injection to the first 2 clean seconds after the first failing one', () => {
    // Load from 1 000 ms on the run clock, injected at 3 500 ms (second 2); failing at 3–5, clean from 6.
    const r = rtoFromLoad(secs('...xxx.....'), 1000, 3500);
    expect(r.rtoMs).toBe(3500); // second 6 starts at 7 000 ms
    expect(r.note).toBe('the load failed from +3 s (12 failed requests) until +6 s, then 2 s clean');
  });
  it('one clean second inside the outage does not end it; a second without requests is not clean', () => {
    expect(rtoFromLoad(secs('..xx.x.-..'), 0, 2000).rtoMs).toBe(6000); // clean from second 8
  });
  it('no failure after the injection is 0; failing to the end or no load after it is undefined', () => {
    expect(rtoFromLoad(secs('xx......'), 0, 3000)).toEqual({
      rtoMs: 0,
      note: 'no request failed after the injection (5 s of load)',
    });
    expect(rtoFromLoad(secs('...xxx'), 0, 1000).rtoMs).toBeUndefined();
    expect(rtoFromLoad(secs('...'), 0, 9000)).toEqual({ note: 'the load had no second after the injection' });
  });
});

describe('a restored copy’s RPO from the write ledger', () => {
  // Writes every 100 ms, acknowledged 5 ms later; the fault at 1 000 ms.
  const ledger: LedgerEntry[] = Array.from({ length: 12 }, (_, i) => ({
    seq: i + 1,
    t: i * 100,
    ackAtMs: i * 100 + 5,
    outcome: 'acknowledged' as const,
  }));
  const restored = (newest?: number): RestoreRecord => ({
    backup: { method: 'pg_dump' },
    tables: [],
    verification: [],
    ...(newest === undefined ? {} : { newestLedgerSeq: newest }),
  });

  it('pass: the copy holds every write acknowledged before the fault — 0 lost, RPO 0', () => {
    const r = restoreRpoFromLedger(restored(10), ledger, 1000);
    expect(r).toMatchObject({ lostWrites: 0, rpoMs: 0 });
    expect(r.rpoBasis).toBe(
      'write ledger: newest row in the copy is #10; the last write acknowledged before the fault was #10',
    );
  });

  it('fail: the copy ends 4 writes early — those 4 lost, RPO from the last acknowledged to the newest held', () => {
    expect(restoreRpoFromLedger(restored(6), ledger, 1000)).toMatchObject({ lostWrites: 4, rpoMs: 400 });
    // One write lost 0 ms apart is still a loss: never an RPO of 0 with a write missing.
    const sameInstant = ledger.map((e) => (e.seq === 10 ? { ...e, ackAtMs: 905 - 100 } : e));
    expect(restoreRpoFromLedger(restored(9), sameInstant, 1000)).toMatchObject({ lostWrites: 1, rpoMs: 1 });
  });

  it('the copy holds none of the acknowledged writes: all lost, no RPO figure', () => {
    const r = restoreRpoFromLedger(restored(undefined), ledger, 1000);
    expect(r.lostWrites).toBe(10);
    expect(r.rpoMs).toBeUndefined();
    expect(r.rpoBasis).toBe('the copy holds none of the 10 writes acknowledged before the fault');
  });

  it('no-data: no ledger, no write acknowledged before the fault, or a failed restore — the record unchanged', () => {
    expect(restoreRpoFromLedger(restored(3), undefined, 1000)).toEqual(restored(3));
    expect(restoreRpoFromLedger(restored(3), ledger, 0)).toEqual(restored(3));
    const failed = { ...restored(3), failure: 'pg_restore failed' };
    expect(restoreRpoFromLedger(failed, ledger, 1000)).toEqual(failed);
  });
});

describe('the boundaries of what a measurement counts (each found by a mutant no test noticed)', () => {
  it('RTO: a sample ending exactly at the injection was in flight at it; one at exactly untilMs still counts', () => {
    const s: Sample[] = [{ t: 90, ok: false, latencyMs: 10 }, ...series('...', 100, 100)];
    expect(measureRto(s, 100, 3)).toEqual({
      rtoMs: 0,
      outageStartMs: 100,
      recoveredAtMs: 100,
      note: 'healthy from 0.10 s to the end of the window (3 samples)',
    });
    // Failing from 300 ms, healthy from 1 100 ms: the third healthy sample starts at exactly untilMs.
    const t = series('...xxxxxxxx...', 100, 0);
    expect(measureRto(t, 250, 3, 1300)).toMatchObject({ rtoMs: 850, recoveredAtMs: 1100 });
    expect(measureRto(t, 250, 3, 1299).rtoMs).toBeUndefined();
  });

  it('RTO: the notes say what was and was not seen', () => {
    expect(measureRto([], 100, 3)).toEqual({ rtoMs: undefined, note: 'no sample after the injection' });
    expect(measureRto(series('..xx....', 100, 0), 150, 2)).toMatchObject({
      rtoMs: 250,
      note: 'healthy from 0.40 s to the end of the window (4 samples)',
    });
    // In flight at the injection and failing: the outage starts at the injection, not before it.
    const s: Sample[] = [{ t: 50, ok: false, latencyMs: 200 }, ...series('x.x.', 100, 100)];
    expect(measureRto(s, 120, 3)).toEqual({
      rtoMs: undefined,
      outageStartMs: 120,
      note: 'never 3 healthy samples in a row after the last failure in the window (1 relapse after a recovery)',
    });
  });

  it('RTO: a relapse after a first recovery is part of the outage — an early blip never hides a later, longer outage', () => {
    // Samples every second, injected at 0, 3 healthy in a row: failing at 4 s alone is 5 s.
    const later = series('....x.......', 1000, 0);
    expect(measureRto(later, 0, 3)).toMatchObject({ rtoMs: 5000, outageStartMs: 4000 });
    // The same, and the sample at 0 fails too: worse input, and the RTO may not get shorter (it was 1 s).
    const worse = series('x...x.......', 1000, 0);
    expect(measureRto(worse, 0, 3)).toMatchObject({
      rtoMs: 5000,
      outageStartMs: 0,
      note: 'healthy from 5.00 s to the end of the window (7 samples), after 1 relapse',
    });
    // A failure in flight when the next fault went in (at 9.5 s) is the next fault's, not a relapse.
    const next: Sample[] = [...series('x........', 1000, 0), { t: 9000, ok: false, latencyMs: 800 }];
    expect(measureRto(next, 0, 3, 9500)).toMatchObject({ rtoMs: 1000 });
    // A relapse too near the end of the window to see N healthy samples after it: not recovered.
    expect(measureRto(series('x......x..', 1000, 0), 0, 3).rtoMs).toBeUndefined();
  });

  it('uptime: a sample an interval before the window, or at its end, covers none of it and is not counted', () => {
    const s: Sample[] = [
      { t: 800, ok: false, latencyMs: 1 },
      { t: 900, ok: false, latencyMs: 1 },
      { t: 950, ok: true, latencyMs: 1 },
      { t: 1500, ok: true, latencyMs: 1 },
      { t: 2000, ok: false, latencyMs: 1 },
      { t: 2100, ok: false, latencyMs: 1 },
    ];
    expect(uptime(s, 1000, 2000, 100)).toEqual({ ratio: 1, healthyMs: 150, coveredMs: 150, ok: 2, total: 2 });
  });

  it('the load’s RTO: seconds out of order are read in order, and the notes count the failed requests', () => {
    const secs = [
      { t: 5, requests: 10, failed: 0 },
      { t: 2, requests: 10, failed: 3 },
      { t: 4, requests: 10, failed: 0 },
      { t: 3, requests: 10, failed: 2 },
      { t: 1, requests: 10, failed: 7 },
    ];
    expect(rtoFromLoad(secs, 0, 2000)).toEqual({
      rtoMs: 2000,
      note: 'the load failed from +2 s (5 failed requests) until +4 s, then 2 s clean',
    });
    // The earliest failing second and the earliest clean run decide, wherever they sit in the list;
    // failures after the recovery are not the outage's.
    const shuffled = [6, 7, 5, 8, 2, 3, 4].map((t) => ({ t, requests: 10, failed: t === 2 ? 4 : t >= 5 ? 1 : 0 }));
    expect(rtoFromLoad(shuffled, 0, 2000)).toEqual({
      rtoMs: 1000,
      note: 'the load failed from +2 s (4 failed requests) until +3 s, then 2 s clean',
    });
    expect(rtoFromLoad(secs.slice(1, 2), 0, 2000)).toEqual({
      note: 'the load was still failing when it ended (first failure at +2 s)',
    });
  });

  it('the ledger series counts as lost only acknowledged writes the database lacks', () => {
    const l: LedgerEntry[] = [
      { seq: 1, t: 0, outcome: 'failed' },
      { seq: 2, t: 10, ackAtMs: 12, outcome: 'acknowledged' },
    ];
    expect(ledgerSeries(l, 0, new Set([1, 2]))).toEqual([
      { t: 0, acknowledged: 1, failed: 1, indeterminate: 0, lost: 1 },
    ]);
  });

  it('RPO: out-of-order ledgers, and failed writes missing from the database are not lost', () => {
    const l: LedgerEntry[] = [
      { seq: 3, t: 300, ackAtMs: 310, outcome: 'acknowledged' },
      { seq: 4, t: 400, outcome: 'failed' },
      { seq: 1, t: 100, ackAtMs: 110, outcome: 'acknowledged' },
      { seq: 2, t: 200, ackAtMs: 210, outcome: 'acknowledged' },
    ];
    // #3 lost; the last survivor before it is #2 (acknowledged at 210): 100 ms of data.
    // Newest first: the survivor before a loss is still the one just before it in sequence.
    const reversed: LedgerEntry[] = [3, 2, 1].map((seq) => ({
      seq,
      t: seq * 100,
      ackAtMs: seq * 100 + 10,
      outcome: 'acknowledged',
    }));
    expect(measureRpo(reversed, new Set([1, 2]))).toMatchObject({ lost: [{ seq: 3, atMs: 310 }], lostSpanMs: 100 });
    expect(measureRpo(reversed, new Set([1]))).toMatchObject({
      lost: [
        { seq: 2, atMs: 210 },
        { seq: 3, atMs: 310 },
      ],
      lostSpanMs: 200,
    });
    expect(measureRpo(l, new Set([1, 2]))).toMatchObject({
      acknowledged: 3,
      failed: 1,
      lost: [{ seq: 3, atMs: 310 }],
      lostSpanMs: 100,
    });
  });

  it('a restored copy: only writes acknowledged by the fault count, in sequence order, whatever the ledger’s order', () => {
    const l: LedgerEntry[] = [
      { seq: 4, t: 400, ackAtMs: 1000, outcome: 'acknowledged' }, // acknowledged exactly at the fault
      { seq: 5, t: 500, ackAtMs: 1001, outcome: 'acknowledged' }, // after it
      { seq: 6, t: 550, outcome: 'failed' },
      { seq: 2, t: 200, ackAtMs: 210, outcome: 'acknowledged' },
      { seq: 3, t: 300, ackAtMs: 310, outcome: 'acknowledged' },
    ];
    const r = restoreRpoFromLedger(
      { backup: { method: 'pg_dump' }, tables: [], verification: [], newestLedgerSeq: 2 },
      l,
      1000,
    );
    expect(r).toMatchObject({
      lostWrites: 2,
      rpoMs: 790,
      rpoBasis: 'write ledger: newest row in the copy is #2; the last write acknowledged before the fault was #4',
    });
    const none = restoreRpoFromLedger({ backup: { method: 'pg_dump' }, tables: [], verification: [] }, l, 1000);
    expect(none).toMatchObject({ lostWrites: 3 });
    expect(none.rpoMs).toBeUndefined();
  });
});

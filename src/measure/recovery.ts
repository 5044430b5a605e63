// Pure: probe samples → RTO, uptime; the write ledger → RPO. The definitions (DESIGN.md):
// RTO = fault injected → the start of the healthy samples after the last failure in the window,
// at least N of them (a relapse is part of the outage; a sample in flight at the injection belongs
// to the outage); uptime = healthy time ÷ covered
// time, each sample covering its interval; RPO = acknowledged writes missing afterwards, their
// sequence numbers, and the time of acknowledged data lost (never 0 when anything was lost).
import type { RestoreRecord } from '../record/schema.ts';

export interface Sample {
  /** ms on the run clock when the sample started. */
  t: number;
  ok: boolean;
  latencyMs: number;
}

export interface Rto {
  rtoMs: number | undefined;
  outageStartMs?: number;
  recoveredAtMs?: number;
  note: string;
}

/** Samples whose time overlaps [fromMs, …): those in flight at fromMs belong to what follows. */
const byStart = (samples: readonly Sample[]) => [...samples].sort((a, b) => a.t - b.t);

export function measureRto(
  samples: readonly Sample[],
  injectedAtMs: number,
  healthyInARow: number,
  untilMs = Infinity,
): Rto {
  // A sample still in flight at the injection (started before, ended after) saw the fault: if it
  // fails, the outage began with it. One that ended before the injection says nothing.
  // Symmetrically, a failure still in flight when the next fault went in is that fault's.
  const after = byStart(samples).filter(
    (s) => s.t + s.latencyMs >= injectedAtMs && s.t <= untilMs && (s.ok || s.t + s.latencyMs < untilMs),
  );
  const firstBad = after.findIndex((s) => !s.ok);
  if (after.length === 0) return { rtoMs: undefined, note: 'no sample after the injection' };
  if (firstBad < 0) return { rtoMs: 0, note: `no failed sample after the injection (${after.length} samples)` };
  // Recovered when it stayed recovered: the run of healthy samples after the last failure in the
  // window, if it is at least N long. A relapse after a first recovery is part of the outage — so a
  // failure added anywhere never shortens the RTO (an early blip cannot hide a later, longer outage).
  let lastBad = firstBad;
  for (let i = firstBad + 1; i < after.length; i++) if (!after[i]!.ok) lastBad = i;
  const outageStartMs = Math.max(after[firstBad]!.t, injectedAtMs);
  const relapses = after.filter((s, i) => i > firstBad && !s.ok && after[i - 1]!.ok).length;
  const held = after.length - lastBad - 1;
  if (held < healthyInARow)
    return {
      rtoMs: undefined,
      outageStartMs,
      note: `never ${healthyInARow} healthy samples in a row after the last failure in the window${relapses ? ` (${relapses} relapse${relapses === 1 ? '' : 's'} after a recovery)` : ''}`,
    };
  const recoveredAtMs = Math.max(after[lastBad + 1]!.t, injectedAtMs);
  return {
    rtoMs: recoveredAtMs - injectedAtMs,
    outageStartMs,
    recoveredAtMs,
    note: `healthy from ${(recoveredAtMs / 1000).toFixed(2)} s to the end of the window (${held} samples)${relapses ? `, after ${relapses} relapse${relapses === 1 ? '' : 's'}` : ''}`,
  };
}

/**
 * A fault that measures its own recovery through an API (a Kubernetes workload whole again, a
 * Ready primary) and is also watched by a probe (writes acknowledged, requests answered): it has
 * recovered once both say so — the later of the two. A probe that never saw recovery means the
 * users never got it back, whatever the API says: no RTO.
 */
export function bothRecovered(apiRtoMs: number | undefined, users: Rto): number | undefined {
  if (apiRtoMs === undefined || users.rtoMs === undefined) return undefined;
  return Math.max(apiRtoMs, users.rtoMs);
}

export interface Uptime {
  ratio: number | undefined;
  /** Healthy and covered time in the window, ms. */
  healthyMs: number;
  coveredMs: number;
  ok: number;
  total: number;
}

/**
 * Uptime by time, not by count: probes fire on a fixed schedule, and each sample speaks for the
 * time from its start until the next scheduled one (its interval), clipped to the window. A
 * hanging outage is then weighted by how long it lasted, not by how few samples finished in it.
 */
export function uptime(samples: readonly Sample[], fromMs: number, toMs: number, intervalMs: number): Uptime {
  let healthyMs = 0;
  let coveredMs = 0;
  let ok = 0;
  let total = 0;
  for (const s of samples) {
    // A sample that started an interval or more before the window, or after it, covers none of it.
    const span = Math.min(s.t + intervalMs, toMs) - Math.max(s.t, fromMs);
    if (span <= 0) continue;
    total++;
    coveredMs += span;
    if (s.ok) {
      ok++;
      healthyMs += span;
    }
  }
  return { ratio: coveredMs > 0 ? healthyMs / coveredMs : undefined, healthyMs, coveredMs, ok, total };
}

export type WriteOutcome = 'acknowledged' | 'failed' | 'indeterminate';

export interface LedgerEntry {
  seq: number;
  /** When the write was sent, ms on the run clock. */
  t: number;
  /** When it was acknowledged (acknowledged writes), ms on the run clock. */
  ackAtMs?: number;
  outcome: WriteOutcome;
}

export interface Rpo {
  acknowledged: number;
  failed: number;
  indeterminate: number;
  lost: { seq: number; atMs: number }[];
  /**
   * The time of acknowledged data lost: from the last surviving acknowledged write before the
   * first loss (or the first lost write's send, when none survived before it) to the
   * acknowledgement of the last lost write. Never 0 when anything was lost (at least 1 ms).
   */
  lostSpanMs: number;
  /** Writes the client saw fail (or could not tell) that the database has anyway. */
  recovered: number;
}

/**
 * The RTO the load itself saw, to the second: from the injection to the start of the first run
 * of `healthySeconds` seconds in which requests were answered and none failed, after the first
 * second at or after the injection with a failure. 0 when no such failure came (the load saw no
 * outage); undefined when the load never recovered before it ended, or had no seconds after the
 * injection. `startedAtMs` and `injectedAtMs` are on the run clock; series seconds are from
 * `startedAtMs`.
 */
export function rtoFromLoad(
  series: readonly { t: number; requests: number; failed: number }[],
  startedAtMs: number,
  injectedAtMs: number,
  healthySeconds = 2,
): { rtoMs?: number; note: string } {
  const from = Math.floor((injectedAtMs - startedAtMs) / 1000);
  const after = series.filter((s) => s.t >= from).sort((a, b) => a.t - b.t);
  if (!after.length) return { note: 'the load had no second after the injection' };
  const first = after.find((s) => s.failed > 0);
  if (!first) return { rtoMs: 0, note: `no request failed after the injection (${after.length} s of load)` };
  const ok = (s: { requests: number; failed: number } | undefined) => !!s && s.requests > 0 && s.failed === 0;
  const byT = new Map(after.map((s) => [s.t, s]));
  for (const s of after) {
    if (s.t <= first.t || !ok(s)) continue;
    let run = 1;
    while (run < healthySeconds && ok(byT.get(s.t + run))) run++;
    if (run < healthySeconds) continue;
    const failed = after.filter((x) => x.t >= first.t && x.t < s.t).reduce((n, x) => n + x.failed, 0);
    return {
      rtoMs: Math.max(0, startedAtMs + s.t * 1000 - injectedAtMs),
      note: `the load failed from +${first.t} s (${failed} failed requests) until +${s.t} s, then ${healthySeconds} s clean`,
    };
  }
  return { note: `the load was still failing when it ended (first failure at +${first.t} s)` };
}

export interface LedgerSecond {
  /** Seconds from the start (negative before it), by the time each write was sent. */
  t: number;
  acknowledged: number;
  failed: number;
  indeterminate: number;
  /** Of the acknowledged, how many the database no longer has. */
  lost: number;
}

/**
 * The ledger second by second (by send time, in seconds from startMs — negative before it),
 * every second from the first write to the last even when nothing was sent in it: what the
 * timeline draws.
 */
export function ledgerSeries(
  ledger: readonly LedgerEntry[],
  startMs: number,
  lost: ReadonlySet<number> = new Set(),
): LedgerSecond[] {
  if (!ledger.length) return [];
  const at = (e: LedgerEntry) => Math.floor((e.t - startMs) / 1000);
  const first = Math.min(...ledger.map(at));
  const last = Math.max(...ledger.map(at));
  const out = Array.from({ length: last - first + 1 }, (_, i) => ({
    t: first + i,
    acknowledged: 0,
    failed: 0,
    indeterminate: 0,
    lost: 0,
  }));
  for (const e of ledger) {
    const s = out[at(e) - first]!;
    s[e.outcome]++;
    if (e.outcome === 'acknowledged' && lost.has(e.seq)) s.lost++;
  }
  return out;
}

/** Jepsen's set checker, on a ledger: only acknowledged writes that are missing count as lost. */
export function measureRpo(ledger: readonly LedgerEntry[], present: ReadonlySet<number>): Rpo {
  const acked = ledger.filter((e) => e.outcome === 'acknowledged').sort((a, b) => a.seq - b.seq);
  const lostEntries = acked.filter((e) => !present.has(e.seq));
  const ackAt = (e: LedgerEntry) => e.ackAtMs ?? e.t;
  let span = 0;
  if (lostEntries.length) {
    const first = lostEntries[0]!;
    const survivorBefore = acked.filter((e) => e.seq < first.seq && present.has(e.seq)).at(-1);
    const from = survivorBefore ? ackAt(survivorBefore) : first.t;
    const to = Math.max(...lostEntries.map(ackAt));
    span = Math.max(1, to - from);
  }
  return {
    acknowledged: acked.length,
    failed: ledger.filter((e) => e.outcome === 'failed').length,
    indeterminate: ledger.filter((e) => e.outcome === 'indeterminate').length,
    lost: lostEntries.map((e) => ({ seq: e.seq, atMs: ackAt(e) })),
    lostSpanMs: span,
    recovered: ledger.filter((e) => e.outcome !== 'acknowledged' && present.has(e.seq)).length,
  };
}

/**
 * A restored copy's RPO from the write ledger: the last write acknowledged before the fault,
 * minus the newest write the copy holds — and how many acknowledged writes the copy lacks.
 */
export function restoreRpoFromLedger(
  r: RestoreRecord,
  ledger: readonly LedgerEntry[] | undefined,
  injectedAtMs: number,
): RestoreRecord {
  if (!ledger || r.failure) return r;
  const ackAt = (e: LedgerEntry) => e.ackAtMs ?? e.t;
  const acked = ledger
    .filter((e) => e.outcome === 'acknowledged' && ackAt(e) <= injectedAtMs)
    .sort((a, b) => a.seq - b.seq);
  const last = acked.at(-1);
  if (!last) return r;
  const newest = ledger.find((e) => e.seq === r.newestLedgerSeq); // none when the copy holds no ledger row
  const lostWrites = acked.filter((e) => r.newestLedgerSeq === undefined || e.seq > r.newestLedgerSeq).length;
  if (!newest)
    return {
      ...r,
      lostWrites,
      rpoBasis: `the copy holds none of the ${acked.length} writes acknowledged before the fault`,
    };
  return {
    ...r,
    lostWrites,
    rpoMs: Math.max(lostWrites > 0 ? 1 : 0, ackAt(last) - ackAt(newest)),
    rpoBasis: `write ledger: newest row in the copy is #${newest.seq}; the last write acknowledged before the fault was #${last.seq}`,
  };
}

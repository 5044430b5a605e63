// Pure: probe samples → RTO, uptime; the write ledger → RPO. The definitions operators use:
// RTO = fault injected → the first moment the recovery condition holds (N healthy samples in a
// row, after the outage began); uptime = healthy samples ÷ all samples in the stated window;
// RPO = acknowledged writes missing afterwards, as a count and the time span they cover.

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

export function measureRto(samples: readonly Sample[], injectedAtMs: number, healthyInARow: number, untilMs = Infinity): Rto {
  const after = samples.filter((s) => s.t >= injectedAtMs && s.t <= untilMs);
  const firstBad = after.findIndex((s) => !s.ok);
  if (after.length === 0) return { rtoMs: undefined, note: 'no sample after the injection' };
  if (firstBad < 0) return { rtoMs: 0, note: `no failed sample after the injection (${after.length} samples)` };
  for (let i = firstBad; i + healthyInARow <= after.length; i++) {
    if (after.slice(i, i + healthyInARow).every((s) => s.ok)) {
      const recoveredAtMs = after[i]!.t;
      return { rtoMs: recoveredAtMs - injectedAtMs, outageStartMs: after[firstBad]!.t, recoveredAtMs, note: `${healthyInARow} healthy samples in a row from ${(recoveredAtMs / 1000).toFixed(2)} s` };
    }
  }
  return { rtoMs: undefined, outageStartMs: after[firstBad]!.t, note: `never ${healthyInARow} healthy samples in a row after the outage began` };
}

export function uptime(samples: readonly Sample[], fromMs: number, toMs: number): { ratio: number | undefined; ok: number; total: number } {
  const inWindow = samples.filter((s) => s.t >= fromMs && s.t <= toMs);
  const ok = inWindow.filter((s) => s.ok).length;
  return { ratio: inWindow.length ? ok / inWindow.length : undefined, ok, total: inWindow.length };
}

export type WriteOutcome = 'acknowledged' | 'failed' | 'indeterminate';

export interface LedgerEntry {
  seq: number;
  t: number;
  outcome: WriteOutcome;
}

export interface Rpo {
  acknowledged: number;
  failed: number;
  indeterminate: number;
  lost: { seq: number; atMs: number }[];
  lostSpanMs: number;
  /** Writes the client saw fail (or could not tell) that the database has anyway. */
  recovered: number;
}

/** Jepsen's set checker, on a ledger: only acknowledged writes that are missing count as lost. */
export function measureRpo(ledger: readonly LedgerEntry[], present: ReadonlySet<number>): Rpo {
  const lost = ledger.filter((e) => e.outcome === 'acknowledged' && !present.has(e.seq)).map((e) => ({ seq: e.seq, atMs: e.t }));
  const span = lost.length ? Math.max(...lost.map((l) => l.atMs)) - Math.min(...lost.map((l) => l.atMs)) : 0;
  return {
    acknowledged: ledger.filter((e) => e.outcome === 'acknowledged').length,
    failed: ledger.filter((e) => e.outcome === 'failed').length,
    indeterminate: ledger.filter((e) => e.outcome === 'indeterminate').length,
    lost,
    lostSpanMs: span,
    recovered: ledger.filter((e) => e.outcome !== 'acknowledged' && present.has(e.seq)).length,
  };
}

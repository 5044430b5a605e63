// The few numbers a run is remembered by — what the report's trend compares run to run.
import type { KeyFigures, RunRecord } from './schema.ts';

type Figured = Pick<RunRecord, 'load' | 'capacity' | 'chaos'>;

/** Its key figures; none from a record whose shape is not this version's (an old run's). */
export function keyFigures(r: Figured): KeyFigures {
  try {
    // Only numbers: the figures go into this run's record, which must parse whatever an old one held.
    return Object.fromEntries(Object.entries(figures(r)).filter(([, v]) => Number.isFinite(v)));
  } catch {
    return {};
  }
}

function figures(r: Figured): KeyFigures {
  const out: KeyFigures = {};
  if (r.load?.all.latency) out.p95Ms = r.load.all.latency.p95Ms;
  if (r.load?.totals.requests) out.errorRate = r.load.totals.failed / r.load.totals.requests;
  if (r.load?.totals.requests && r.load.durationMs > 0)
    out.throughputRps = (r.load.totals.requests - r.load.totals.failed) / (r.load.durationMs / 1000);
  // An earlier version’s experiment may have no probes list.
  const uptimes = (r.chaos ?? [])
    .flatMap((c) => c.probes ?? [])
    .filter((p) => p.total > 0)
    .map((p) => (p.coveredMs ? (p.healthyMs ?? 0) / p.coveredMs : p.ok / p.total));
  if (uptimes.length) out.uptime = Math.min(...uptimes);
  if (r.capacity) out.sustainableRps = r.capacity.sustainableRps;
  const rtos = (r.chaos ?? []).flatMap((c) => c.faults.map((f) => f.rtoMs)).filter((x) => x !== undefined);
  if (rtos.length) out.rtoMs = Math.max(...rtos);
  const ledgers = (r.chaos ?? []).map((c) => c.ledger).filter((l) => l !== undefined);
  if (ledgers.length) out.lostWrites = ledgers.reduce((n, l) => n + l.lost.length, 0);
  return out;
}

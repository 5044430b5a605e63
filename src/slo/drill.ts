// Pure: a drill scenario against the DR plan — its figures (the worst RTO and the probe it came
// from, the data lost and how that was measured, uptime) and the plan's RTO and RPO verdicts. A
// scenario with no fault injected, or whose data loss could not be measured, is no-data, never a
// pass; a restore that failed fails the RPO.
import { formatMs } from '../core/duration.ts';
import type { ChaosResult, DrillScenario, Verdict } from '../record/schema.ts';
import { holds, type Comparison } from '../core/comparison.ts';
import { uptimeOf } from './chaos.ts';

/** The DR plan's RTO and RPO against what the scenario measured. */
export function planVerdicts(
  c: ChaosResult,
  plan: { rto: string; rpo: string },
  rto: Comparison,
  rpo: Comparison,
): Verdict[] {
  const out: Verdict[] = [];
  const f = scenarioFigures(c);
  const injected = c.faults.filter((x) => x.injectedAtMs !== undefined);
  const rtoRow = { source: 'slo', id: 'DR plan RTO', objective: `RTO ${plan.rto}` } as const;
  const rpoRow = { source: 'slo', id: 'DR plan RPO', objective: `RPO ${plan.rpo}` } as const;
  if (!injected.length)
    out.push({
      ...rtoRow,
      status: 'no-data',
      detail: 'no fault was injected',
    });
  else if (f.rtoMs === undefined) {
    const why = injected.find((x) => x.rtoMs === undefined);
    out.push({
      ...rtoRow,
      status: 'fail',
      observed: 'not recovered',
      detail: why ? `${why.label}: ${why.error ?? why.recovery}` : undefined,
    } as Verdict);
  } else
    out.push({
      ...rtoRow,
      status: holds(f.rtoMs, rto) ? 'pass' : 'fail',
      observed: f.rtoMs === 0 ? '0 s: no outage seen' : formatMs(f.rtoMs),
    });
  // A ledger that could not be read back still had something to measure: its RPO row says no-data.
  const measuresData = c.ledger !== undefined || c.ledgerUnverified !== undefined || c.faults.some((x) => x.restore);
  if (measuresData) {
    if (f.rpoMs === undefined)
      out.push({
        ...rpoRow,
        status: c.faults.some((x) => x.restore?.failure) ? 'fail' : 'no-data',
        detail: f.rpoBasis ?? 'the data loss could not be measured',
      });
    else
      out.push({
        ...rpoRow,
        status: holds(f.rpoMs, rpo) ? 'pass' : 'fail',
        observed: f.rpoMs === 0 ? '0 s: no data lost' : formatMs(f.rpoMs),
        ...(f.rpoBasis ? { detail: f.rpoBasis } : {}),
      });
  }
  return out.map((v) => (v.detail === undefined ? (({ detail: _d, ...rest }) => rest)(v) : v));
}

/** One scenario's figures: the worst RTO, the data lost (span) and how that was measured, uptime. */
export function scenarioFigures(
  c: ChaosResult,
): Pick<DrillScenario, 'rtoMs' | 'rtoProbe' | 'rpoMs' | 'rpoBasis' | 'lostWrites' | 'uptime' | 'uptimeProbe'> {
  const injected = c.faults.filter((x) => x.injectedAtMs !== undefined);
  const rtos = injected.map((x) => x.rtoMs);
  const out: ReturnType<typeof scenarioFigures> = {};
  if (rtos.length && rtos.every((x) => x !== undefined)) {
    out.rtoMs = Math.max(...(rtos as number[]));
    const worst = injected.find((x) => x.rtoMs === out.rtoMs)?.recoveryProbe;
    if (worst) out.rtoProbe = worst;
  }
  const restores = c.faults.map((x) => x.restore).filter((r) => r !== undefined);
  if (restores.length) {
    const ages = restores.map((r) => r.rpoMs);
    if (ages.every((a) => a !== undefined)) {
      out.rpoMs = Math.max(...(ages as number[]));
      out.rpoBasis = `restored copy’s age — ${restores
        .map((r) => r.rpoBasis)
        .filter(Boolean)
        .join('; ')}`;
    } else
      out.rpoBasis = restores
        .map((r) => r.failure ?? r.rpoBasis)
        .filter(Boolean)
        .join('; ');
    const lost = restores.map((r) => r.lostWrites).filter((x) => x !== undefined);
    if (lost.length) out.lostWrites = Math.max(...lost);
  } else if (c.ledger) {
    out.rpoMs = c.ledger.lost.length ? c.ledger.lostSpanMs : 0;
    out.lostWrites = c.ledger.lost.length;
    out.rpoBasis = `write ledger: ${c.ledger.lost.length} of ${c.ledger.acknowledged} acknowledged writes lost${c.ledger.lost.length ? ` (#${c.ledger.lost.map((l) => l.seq).join(', #')})` : ''}`;
  } else if (c.ledgerUnverified) {
    out.rpoBasis = c.ledgerUnverified;
  }
  const http = c.probes.find((p) => p.kind === 'http');
  const u = http ? uptimeOf(http) : undefined;
  if (u !== undefined) {
    out.uptime = u;
    out.uptimeProbe = http!.name;
  }
  return out;
}

/** A scenario that could not run (its experiment invalid, its target unreachable): a failure of the drill, said why. */
export function scenarioDidNotRun(why: string): Verdict {
  return { id: 'ran', source: 'slo', objective: 'the scenario ran', status: 'fail', observed: why };
}

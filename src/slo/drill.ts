// Pure: a drill scenario against the DR plan — its figures (the worst RTO and the probe it came
// from, the data lost and how that was measured, uptime), the plan's RTO and RPO verdicts, and
// the scenario's status. Every scenario gets both plan verdicts: one with no fault injected, or
// whose data loss nothing measured (no write ledger, no restore), is no-data — which fails —
// never a pass and never absent; a restore that failed fails the RPO.
import { formatMs } from '../core/duration.ts';
import type { Objective } from '../core/comparison.ts';
import type { ChaosResult, DrillScenario } from '../record/schema.ts';
import {
  faultRecovery,
  ledgerEvidence,
  restoreChecks,
  restoreRpoEvidence,
  NOTHING_VERIFIED,
  uptimeOf,
} from './chaos.ts';
import { errored, type Evidence, failed, measured, noData, type Verdict, type VerdictHead } from './verdict.ts';

const sum = (es: readonly Evidence[], from: string): Evidence => {
  const covered = es.map((e) => e.coveredMs).filter((x) => x !== undefined);
  return {
    samples: es.reduce((n, e) => n + e.samples, 0),
    ...(covered.length ? { coveredMs: covered.reduce((a, b) => a + b, 0) } : {}),
    from: [...new Set(es.map((e) => e.from))].join('; ') || from,
  };
};

/** The DR plan's RTO and RPO against what the scenario measured: always both. */
export function planVerdicts(
  c: ChaosResult,
  plan: { rto: string; rpo: string },
  rto: Objective,
  rpo: Objective,
): Verdict[] {
  return [planRto(c, plan.rto, rto), planRpo(c, plan.rpo, rpo)];
}

function planRto(c: ChaosResult, text: string, bound: Objective): Verdict {
  const head: VerdictHead = { id: 'DR plan RTO', kind: 'plan-rto', objective: `RTO ${text}` };
  const injected = c.faults.filter((x) => x.injectedAtMs !== undefined);
  if (!injected.length) return noData(head, 'no fault was injected');
  const each = injected.map((f) => ({ f, r: faultRecovery(c, f) }));
  const down = each.find((x) => x.r.state === 'failed');
  if (down && down.r.state === 'failed')
    return failed(head, { observed: 'not recovered', detail: down.r.why, evidence: down.r.evidence });
  const unmeasured = each.find((x) => x.r.state === 'unmeasured');
  if (unmeasured && unmeasured.r.state === 'unmeasured') return noData(head, unmeasured.r.why);
  const rtos = each.flatMap((x) => (x.r.state === 'measured' ? [{ f: x.f, rtoMs: x.r.rtoMs, e: x.r.evidence }] : []));
  const worst = rtos.reduce((a, b) => (b.rtoMs > a.rtoMs ? b : a));
  return measured(head, {
    value: worst.rtoMs,
    unit: 'ms',
    bound,
    evidence: sum(
      rtos.map((x) => x.e),
      'the faults’ recoveries',
    ),
    observed: worst.rtoMs === 0 ? '0 s: no outage seen' : formatMs(worst.rtoMs),
    detail: `the slowest of ${rtos.length} fault${rtos.length === 1 ? '' : 's'}: ${worst.f.label}`,
  });
}

function planRpo(c: ChaosResult, text: string, bound: Objective): Verdict {
  const head: VerdictHead = { id: 'DR plan RPO', kind: 'plan-rpo', objective: `RPO ${text}` };
  const restores = c.faults.map((x) => x.restore).filter((r) => r !== undefined);
  // A ledger that could not be read back still had something to measure: its reason is the detail.
  if (!c.ledger && c.ledgerUnverified === undefined && !restores.length)
    return noData(
      head,
      'nothing measured data loss in this scenario: add a db-write probe (a ledger of acknowledged writes) or a backup-restore fault',
    );
  const f = scenarioFigures(c);
  if (restores.some((r) => r.failure)) return failed(head, { detail: f.rpoBasis ?? 'the restore failed' });
  const writes = bound.unit === 'writes';
  const value = writes ? f.lostWrites : f.rpoMs;
  if (value === undefined) return noData(head, f.rpoBasis || 'the data loss could not be measured');
  const evidence = restores.length
    ? sum(
        restores.map((r) => restoreRpoEvidence(c, r)),
        'the restored copies',
      )
    : ledgerEvidence(c.ledger!);
  return measured(head, {
    value,
    unit: writes ? 'count' : 'ms',
    bound,
    evidence,
    observed: writes
      ? `${value} acknowledged write${value === 1 ? '' : 's'} lost`
      : value === 0
        ? '0 s: no data lost'
        : formatMs(value),
    detail: f.rpoBasis,
  });
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
        .map((r) => r.failure ?? r.rpoBasis ?? (restoreChecks(r) === 0 ? NOTHING_VERIFIED : undefined))
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

/** A scenario that could not run (its experiment invalid, its target unreachable): an error of the drill, said why. */
export function scenarioDidNotRun(why: string): Verdict {
  return errored({ id: 'ran', kind: 'scenario', objective: 'the scenario ran' }, why, { observed: why });
}

/**
 * A scenario's status from its verdicts: error when it could not run, passed only when it has
 * verdicts and every one is a pass with a sample behind it, else failed — naming what did not pass.
 */
export function scenarioStatus(verdicts: readonly Verdict[]): Pick<DrillScenario, 'status' | 'failures'> {
  const failures = verdicts
    .filter((v) => v.status !== 'pass' || (v.evidence?.samples ?? 0) === 0)
    .map((v) => `${v.id}: ${v.observed ?? v.detail ?? v.status}`);
  if (verdicts.some((v) => v.kind === 'scenario' && v.status === 'error')) return { status: 'error', failures };
  if (!verdicts.length) return { status: 'failed', failures: ['no verdict: nothing was judged'] };
  return { status: failures.length ? 'failed' : 'passed', failures };
}

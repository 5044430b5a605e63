// Pure: a chaos result × the experiment's SLOs → verdicts (steady state when declared, RTO per
// fault, RPO, restores, uptime, alerts), each with the evidence it rests on: the recovery probe's
// samples after the injection, the write ledger's acknowledged writes, the tables and queries a
// restored copy was verified by, the probe's samples and the time they cover. A number that was
// not measured is no-data, never a pass; an experiment none of whose verdicts rests on a
// measurement is no-data as a whole.
import { formatObjective, type Objective } from '../core/comparison.ts';
import type { Experiment } from '../config/experiment.ts';
import { formatMs } from '../core/duration.ts';
import type { ChaosResult, RestoreRecord } from '../record/schema.ts';
import {
  decided,
  type Evidence,
  failed,
  measured,
  noData,
  type Verdict,
  type VerdictHead,
  type VerdictUnit,
} from './verdict.ts';

type Fault = ChaosResult['faults'][number];
type Probe = ChaosResult['probes'][number];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The unit a verdict states a parsed objective's figure in. */
export function unitOf(o: Objective): VerdictUnit {
  return o.unit === 'writes' ? 'count' : o.unit === 'per-second' ? 'req/s' : o.unit;
}

/** Alert expectations against what Alertmanager showed during the experiment. */
export function alertVerdicts(c: ChaosResult, expectations: Experiment['alerts']): Verdict[] {
  return expectations.map((e) => {
    const what = `${e.name ?? 'any alert'}${
      Object.keys(e.labels).length
        ? `{${Object.entries(e.labels)
            .map(([k, v]) => `${k}="${v}"`)
            .join(',')}}`
        : ''
    }`;
    const head: VerdictHead = {
      id: `alert ${what} ${e.expect}`,
      kind: 'alert',
      objective:
        e.expect === 'fires'
          ? `${what} fires${e.within !== undefined ? ` within ${formatMs(e.within)} of the first fault` : ''}`
          : `${what} never fires`,
    };
    if (!c.alerts || c.alerts.polls === c.alerts.failedPolls)
      return noData(
        head,
        c.alerts
          ? `Alertmanager did not answer (${c.alerts.failedPolls} failed polls)`
          : 'no alertmanager.url in the environment',
      );
    const answered = c.alerts.polls - c.alerts.failedPolls;
    const evidence: Evidence = {
      samples: answered,
      coveredMs: Math.max(0, c.windowEndMs - c.windowStartMs),
      from: `Alertmanager, ${plural(answered, 'answered poll')}`,
    };
    const hits = c.alerts.seen.filter(
      (a) =>
        (e.name === undefined || a.name === e.name) && Object.entries(e.labels).every(([k, v]) => a.labels[k] === v),
    );
    const polls = `${c.alerts.polls} polls, ${c.alerts.failedPolls} failed`;
    if (e.expect === 'silent')
      return decided(head, hits.length === 0, evidence, {
        observed: hits.length ? `${hits.map((h) => h.name).join(', ')} fired` : 'none fired',
        detail: polls,
      });
    const first = c.faults
      .map((f) => f.injectedAtMs)
      .filter((t) => t !== undefined)
      .sort((a, b) => a - b)[0];
    const hit = hits.sort((a, b) => a.firstSeenMs - b.firstSeenMs)[0];
    if (!hit) return failed(head, { observed: 'never fired', detail: polls, evidence });
    const delay = first === undefined ? undefined : hit.firstSeenMs - first;
    const ok = e.within === undefined || (delay !== undefined && delay <= e.within);
    return decided(head, ok, evidence, {
      observed:
        delay === undefined
          ? 'fired (no fault was injected)'
          : `seen ${formatMs(Math.max(0, delay))} after the first fault`,
      detail: `${hit.name} active since ${hit.startsAt}; ${polls}`,
    });
  });
}

/** Uptime by time (healthy ÷ covered); records from before time-weighting fall back to counts. */
export function uptimeOf(p: ChaosResult['probes'][number]): number | undefined {
  if (p.coveredMs !== undefined) return p.coveredMs > 0 ? (p.healthyMs ?? 0) / p.coveredMs : undefined;
  return p.total ? p.ok / p.total : undefined;
}

/** How many checks a restored copy was verified by: its tables and its queries. */
export const restoreChecks = (r: RestoreRecord): number => r.tables.length + r.verification.length;

/** What a restore's verdict (and its RTO) rests on: the tables and queries that verified the copy, and its time. */
export function restoreEvidence(r: RestoreRecord): Evidence {
  return {
    samples: restoreChecks(r),
    ...(r.restoreTookMs !== undefined ? { coveredMs: r.restoreTookMs } : {}),
    from: `${plural(r.tables.length, 'table')} and ${plural(r.verification.length, 'query', 'queries')} on the restored copy`,
  };
}

/** Why nothing verified a copy, and what to write. */
export const NOTHING_VERIFIED =
  'nothing verified the copy: give tables: [{ name, rows }] or verify: [{ name, sql, expect }] (a pg_dump is compared table by table with its source by default; a source without tables has nothing to compare)';

/** The recovery probe's samples after the injection (those in flight at it included): what an RTO rests on. */
function probeEvidence(p: Probe, injectedAtMs: number): Evidence {
  const after = p.samples.filter(([t, , latency]) => t + latency >= injectedAtMs);
  const last = after.at(-1);
  return {
    samples: after.length,
    coveredMs: last ? Math.max(0, last[0] + p.intervalMs - injectedAtMs) : 0,
    from: `probe ${p.name}: ${plural(after.length, 'sample')} after the injection`,
  };
}

/**
 * One fault's recovery: its RTO and what it rests on, or why there is none — `failed` (seen not to
 * recover: a probe that kept failing, a restore that failed) or `unmeasured` (nothing looked: no
 * sample after the injection, a restore nothing verified, a fault never injected).
 */
export function faultRecovery(
  c: ChaosResult,
  f: Fault,
):
  | { state: 'measured'; rtoMs: number; evidence: Evidence }
  | { state: 'failed'; why: string; evidence?: Evidence }
  | { state: 'unmeasured'; why: string } {
  const why = `${f.label}: ${f.error ?? f.recovery}`;
  if (f.injectedAtMs === undefined) return { state: 'unmeasured', why };
  let evidence: Evidence;
  if (f.restore) {
    if (f.restore.failure) return { state: 'failed', why, evidence: restoreEvidence(f.restore) };
    if (restoreChecks(f.restore) === 0) return { state: 'unmeasured', why: `${f.label}: ${NOTHING_VERIFIED}` };
    evidence = restoreEvidence(f.restore);
  } else if (f.recoveryProbe) {
    const p = c.probes.find((x) => x.name === f.recoveryProbe);
    evidence = p ? probeEvidence(p, f.injectedAtMs) : { samples: 0, from: `probe ${f.recoveryProbe}: no samples kept` };
  } else if (f.rtoMs !== undefined) {
    // Timed by the fault itself through an API (a Kubernetes workload whole again), no probe watching.
    evidence = { samples: 1, coveredMs: f.rtoMs, from: f.recovery };
  } else if (f.error) return { state: 'failed', why };
  // Watched through the API until its timeout and never whole again: seen not to recover.
  else if (f.recoveryWatchedBy === 'api') return { state: 'failed', why, evidence: { samples: 1, from: f.recovery } };
  else return { state: 'unmeasured', why };
  if (f.rtoMs !== undefined) return { state: 'measured', rtoMs: f.rtoMs, evidence };
  if (evidence.samples === 0) return { state: 'unmeasured', why };
  return { state: 'failed', why, evidence };
}

/** The steady-state hypothesis, when the experiment declared one (probes); none when it did not. */
function steadyStateVerdict(c: ChaosResult): Verdict | undefined {
  const { before, after, detail } = c.steadyState;
  if (before === 'not checked' && after === 'not checked') return undefined;
  const head: VerdictHead = {
    id: 'steady-state',
    kind: 'steady-state',
    objective: 'steady-state hypothesis holds before and after',
  };
  const samples = c.probes.reduce((n, p) => n + p.samples.length, 0);
  const told = { observed: `before: ${before}, after: ${after}`, ...(detail ? { detail } : {}) };
  const evidence: Evidence = {
    samples,
    from: c.probes.length
      ? `probes ${c.probes.map((p) => p.name).join(', ')}: ${plural(samples, 'sample')}`
      : 'no probe samples kept',
  };
  if (before === 'not met' || after === 'not met') return failed(head, { ...told, evidence });
  if (before === 'not checked' || after === 'not checked')
    return noData(head, detail ?? 'the steady state was not checked both before and after', told);
  return decided(head, true, evidence, told);
}

export function chaosVerdicts(c: ChaosResult, slos: Experiment['slos']): Verdict[] {
  const out: Verdict[] = [];
  const steady = steadyStateVerdict(c);
  if (steady) out.push(steady);
  // A fault that could not be injected did not act: whatever else held, the experiment did not happen.
  // A planned fault never injected — the run stopped early (an abort condition, the steady state
  // not met) — did not happen either: the experiment was not carried out, whatever it measured.
  for (const f of c.faults)
    if (f.error)
      out.push(
        failed(
          { id: `fault ${f.id}`, kind: 'fault', objective: 'the fault is injected' },
          { observed: f.error, detail: f.label },
        ),
      );
    else if (f.injectedAtMs === undefined && !c.dryRun)
      out.push(
        failed(
          { id: `fault ${f.id}`, kind: 'fault', objective: 'the fault is injected' },
          { observed: 'not injected', detail: `${f.label}: ${c.stoppedEarly ?? 'the experiment ended before it'}` },
        ),
      );
  if (slos.rto) {
    const bound = slos.rto;
    for (const f of c.faults) {
      const head: VerdictHead = { id: `rto ${f.id}`, kind: 'rto', objective: `RTO ${formatObjective(bound)}` };
      const r = faultRecovery(c, f);
      if (r.state === 'unmeasured') out.push(noData(head, r.why));
      else if (r.state === 'failed')
        out.push(failed(head, { observed: 'not recovered', detail: r.why, evidence: r.evidence }));
      else
        out.push(
          measured(head, {
            value: r.rtoMs,
            unit: 'ms',
            bound,
            evidence: r.evidence,
            observed: r.rtoMs === 0 ? `0 s: no outage seen by ${f.recoveryProbe ?? 'the probe'}` : formatMs(r.rtoMs),
            detail: `${f.label}: ${f.recovery}`,
          }),
        );
    }
  }
  // The RPO of acknowledged writes, when a write probe kept a ledger — or when nothing else (a
  // restored copy's age) measures the RPO: then it is no-data, saying what would.
  const ledgered =
    c.ledger !== undefined || c.ledgerUnverified !== undefined || c.probes.some((p) => p.kind === 'db-write');
  if (slos.rpo && (ledgered || !c.faults.some((f) => f.restore))) {
    const bound = slos.rpo;
    const head: VerdictHead = { id: 'rpo', kind: 'rpo', objective: `RPO ${formatObjective(bound)}` };
    const l = c.ledger;
    if (!l) out.push(noData(head, c.ledgerUnverified ?? 'no db-write probe kept a ledger of acknowledged writes'));
    else
      out.push(
        measured(head, {
          value: bound.unit === 'writes' ? l.lost.length : l.lostSpanMs,
          unit: unitOf(bound),
          bound,
          evidence: ledgerEvidence(l),
          observed: `${plural(l.lost.length, 'acknowledged write')} lost${l.lost.length ? `, spanning ${formatMs(l.lostSpanMs)}` : ''} (of ${l.acknowledged})`,
          detail: `${l.failed} failed, ${l.indeterminate} indeterminate, ${l.recovered} of those found committed; ${l.verified}`,
        }),
      );
  }
  for (const f of c.faults) {
    const r = f.restore;
    if (!r) continue;
    out.push(restoreVerdict(f.id, r));
    if (slos.rpo) out.push(restoreRpoVerdict(c, f.id, r, slos.rpo));
  }
  if (slos.uptime) {
    const p = c.probes.find((x) => (slos.uptimeProbe ? x.name === slos.uptimeProbe : x.kind === 'http'));
    const head: VerdictHead = {
      id: `uptime ${p?.name ?? ''}`.trim(),
      kind: 'uptime',
      objective: `uptime ${formatObjective(slos.uptime)}`,
    };
    const ratio = p ? uptimeOf(p) : undefined;
    if (!p || ratio === undefined) out.push(noData(head, 'no probe sample in the window'));
    else
      out.push(
        measured(head, {
          value: ratio,
          unit: 'ratio',
          bound: slos.uptime,
          evidence: {
            samples: p.total,
            ...(p.coveredMs !== undefined ? { coveredMs: p.coveredMs } : {}),
            from: `probe ${p.name}: ${plural(p.total, 'sample')} in the window`,
          },
          observed: `${(ratio * 100).toFixed(2)}% of the time (${formatMs(p.healthyMs ?? 0)} healthy of ${formatMs(p.coveredMs ?? 0)}; ${p.ok}/${p.total} samples every ${formatMs(p.intervalMs)})`,
        }),
      );
  }
  return out;
}

/** What a ledger-based RPO rests on: the acknowledged writes read back. */
export function ledgerEvidence(l: NonNullable<ChaosResult['ledger']>): Evidence {
  return {
    samples: l.acknowledged,
    from: `write ledger of probe ${l.probe}: ${plural(l.acknowledged, 'acknowledged write')} read back`,
  };
}

/** What a restored copy's RPO rests on: the write ledger against the copy's newest row, or the freshness query. */
export function restoreRpoEvidence(c: ChaosResult, r: RestoreRecord): Evidence {
  if (r.lostWrites !== undefined || r.newestLedgerSeq !== undefined) {
    // The acknowledged writes compared with the copy: all of them when the ledger was read back,
    // else at least the copy's newest row and the writes it lacks.
    const known = (r.lostWrites ?? 0) + (r.newestLedgerSeq !== undefined ? 1 : 0);
    const samples = c.ledger?.acknowledged ?? known;
    return { samples, from: `write ledger against the copy's newest row (${plural(samples, 'acknowledged write')})` };
  }
  if (r.newestDataAt !== undefined) return { samples: 1, from: 'the freshness query on the copy' };
  return { samples: 0, from: 'nothing measured the age of the copy' };
}

/** The backup restores and the copy verifies: a pass rests on at least one table or query verified. */
export function restoreVerdict(faultId: string, r: RestoreRecord): Verdict {
  const head: VerdictHead = {
    id: `restore ${faultId}`,
    kind: 'restore',
    objective: 'the backup restores and the copy verifies',
  };
  const detail = r.backup.file
    ? `${r.backup.method}: ${r.backup.file}${r.backup.bytes !== undefined ? ` (${r.backup.bytes} bytes)` : ''}`
    : undefined;
  const evidence = restoreEvidence(r);
  if (r.failure) return failed(head, { observed: r.failure, detail, evidence });
  if (restoreChecks(r) === 0)
    return noData(head, NOTHING_VERIFIED, {
      observed: `restored in ${formatMs(r.restoreTookMs ?? 0)}, nothing verified`,
    });
  const compared = [...new Set(r.tables.map((t) => t.comparedWith ?? 'the source'))].join(', ');
  return decided(head, true, evidence, {
    observed: `${plural(r.tables.length, 'table')} matched${r.tables.length ? ` (compared with ${compared})` : ''}, ${plural(r.verification.length, 'query', 'queries')} passed, restored in ${formatMs(r.restoreTookMs ?? 0)}`,
    detail,
  });
}

/** The restored copy's data loss against the experiment's RPO: its age, or the acknowledged writes it lacks. */
export function restoreRpoVerdict(c: ChaosResult, faultId: string, r: RestoreRecord, bound: Objective): Verdict {
  const head: VerdictHead = {
    id: `rpo restore ${faultId}`,
    kind: 'restore-rpo',
    objective: `RPO ${formatObjective(bound)}`,
  };
  if (r.failure) return failed(head, { detail: 'no copy to measure' });
  const count = bound.unit === 'writes';
  const value = count ? r.lostWrites : r.rpoMs;
  if (value === undefined)
    return noData(
      head,
      r.rpoBasis ?? 'nothing measured the age of the copy (add a db-write probe or a freshness query)',
    );
  return measured(head, {
    value,
    unit: unitOf(bound),
    bound,
    evidence: restoreRpoEvidence(c, r),
    observed: count
      ? `${plural(value, 'acknowledged write')} missing from the copy`
      : `the copy is ${formatMs(value)} old`,
    detail: r.rpoBasis,
  });
}

/**
 * Every verdict of one experiment: its own, its alerts' and its load's. "No evidence, no pass" is
 * about each verdict, and about the whole: an experiment none of whose verdicts rests on a
 * measurement (no probe, no SLO, nothing verified) gets a no-data verdict saying so.
 */
export function experimentVerdicts(
  c: ChaosResult,
  exp: Pick<Experiment, 'slos' | 'alerts'>,
  load: readonly Verdict[] = [],
): Verdict[] {
  const out = [...chaosVerdicts(c, exp.slos), ...alertVerdicts(c, exp.alerts), ...load];
  const backed = out.some((v) => (v.status === 'pass' || v.status === 'fail') && (v.evidence?.samples ?? 0) > 0);
  if (!backed)
    out.push(
      noData(
        { id: 'experiment', kind: 'experiment', objective: 'at least one verdict rests on a measurement' },
        'nothing in this experiment was measured: declare probes (a steady state, an RTO, uptime), a db-write probe (RPO), a restore with tables or verify, alerts or a load',
      ),
    );
  return out;
}

/** --dry-run: what the experiment would hit was resolved (faults that cannot resolve fail before this). */
export function dryRunVerdict(resolved: number): Verdict {
  return decided(
    { id: 'dry-run', kind: 'dry-run', objective: 'resolve what the experiment would hit' },
    true,
    { samples: resolved, from: `preflight of ${plural(resolved, 'injection')}` },
    { observed: `${plural(resolved, 'injection')} resolved, none made` },
  );
}

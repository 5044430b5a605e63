// Pure: a chaos result × the experiment's SLOs → verdicts (RTO per fault, RPO, uptime, steady
// state). A number that was not measured is no-data, never a pass.
import { holds, parseObjective } from '../core/comparison.ts';
import type { Experiment } from '../config/experiment.ts';
import { formatMs } from '../core/duration.ts';
import type { ChaosResult, Verdict } from '../record/schema.ts';

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
    const base = {
      id: `alert ${what} ${e.expect}`,
      source: 'slo',
      objective:
        e.expect === 'fires'
          ? `${what} fires${e.within !== undefined ? ` within ${formatMs(e.within)} of the first fault` : ''}`
          : `${what} never fires`,
    } as const;
    if (!c.alerts || c.alerts.polls === c.alerts.failedPolls)
      return {
        ...base,
        status: 'no-data',
        detail: c.alerts
          ? `Alertmanager did not answer (${c.alerts.failedPolls} failed polls)`
          : 'no alertmanager.url in the environment',
      };
    const hits = c.alerts.seen.filter(
      (a) =>
        (e.name === undefined || a.name === e.name) && Object.entries(e.labels).every(([k, v]) => a.labels[k] === v),
    );
    const polls = `${c.alerts.polls} polls, ${c.alerts.failedPolls} failed`;
    if (e.expect === 'silent')
      return {
        ...base,
        status: hits.length ? 'fail' : 'pass',
        observed: hits.length ? `${hits.map((h) => h.name).join(', ')} fired` : 'none fired',
        detail: polls,
      };
    const first = c.faults
      .map((f) => f.injectedAtMs)
      .filter((t) => t !== undefined)
      .sort((a, b) => a - b)[0];
    const hit = hits.sort((a, b) => a.firstSeenMs - b.firstSeenMs)[0];
    if (!hit) return { ...base, status: 'fail', observed: 'never fired', detail: polls };
    const delay = first === undefined ? undefined : hit.firstSeenMs - first;
    const ok = e.within === undefined || (delay !== undefined && delay <= e.within);
    return {
      ...base,
      status: ok ? 'pass' : 'fail',
      observed:
        delay === undefined
          ? `fired (no fault was injected)`
          : `seen ${formatMs(Math.max(0, delay))} after the first fault`,
      detail: `${hit.name} active since ${hit.startsAt}; ${polls}`,
    };
  });
}

/** Uptime by time (healthy ÷ covered); records from before time-weighting fall back to counts. */
export function uptimeOf(p: ChaosResult['probes'][number]): number | undefined {
  if (p.coveredMs !== undefined) return p.coveredMs > 0 ? (p.healthyMs ?? 0) / p.coveredMs : undefined;
  return p.total ? p.ok / p.total : undefined;
}

export function chaosVerdicts(c: ChaosResult, slos: Experiment['slos']): Verdict[] {
  const out: Verdict[] = [];
  out.push({
    id: 'steady-state',
    source: 'slo',
    objective: 'steady-state hypothesis holds before and after',
    status:
      c.steadyState.before === 'met' && c.steadyState.after === 'met'
        ? 'pass'
        : c.steadyState.before === 'not checked'
          ? 'no-data'
          : 'fail',
    observed: `before: ${c.steadyState.before}, after: ${c.steadyState.after}`,
    ...(c.steadyState.detail ? { detail: c.steadyState.detail } : {}),
  });
  if (slos.rto) {
    const cmp = parseObjective(slos.rto, 'ms')!;
    for (const f of c.faults) {
      const base = { id: `rto ${f.id}`, source: 'slo', objective: `RTO ${slos.rto}` } as const;
      if (f.rtoMs === undefined)
        out.push({
          ...base,
          status: f.injectedAtMs === undefined ? 'no-data' : 'fail',
          ...(f.injectedAtMs === undefined ? {} : { observed: 'not recovered' }),
          detail: `${f.label}: ${f.error ?? f.recovery}`,
        });
      else
        out.push({
          ...base,
          status: holds(f.rtoMs, cmp) ? 'pass' : 'fail',
          observed: f.rtoMs === 0 ? `0 s: no outage seen by ${f.recoveryProbe ?? 'the probe'}` : formatMs(f.rtoMs),
          detail: `${f.label}: ${f.recovery}`,
        });
    }
  }
  if (slos.rpo) {
    const base = { id: 'rpo', source: 'slo', objective: `RPO ${slos.rpo}` } as const;
    const l = c.ledger;
    if (!l)
      out.push({
        ...base,
        status: 'no-data',
        detail: c.ledgerUnverified ?? 'no db-write probe kept a ledger of acknowledged writes',
      });
    else {
      const count = parseObjective(slos.rpo, 'count');
      const ok = count ? holds(l.lost.length, count) : holds(l.lostSpanMs, parseObjective(slos.rpo, 'ms')!);
      out.push({
        ...base,
        status: l.acknowledged === 0 ? 'no-data' : ok ? 'pass' : 'fail',
        observed: `${l.lost.length} acknowledged write${l.lost.length === 1 ? '' : 's'} lost${l.lost.length ? `, spanning ${formatMs(l.lostSpanMs)}` : ''} (of ${l.acknowledged})`,
        detail: `${l.failed} failed, ${l.indeterminate} indeterminate, ${l.recovered} of those found committed; ${l.verified}`,
      });
    }
  }
  for (const f of c.faults) {
    const r = f.restore;
    if (!r) continue;
    out.push({
      id: `restore ${f.id}`,
      source: 'slo',
      objective: 'the backup restores and the copy verifies',
      status: r.failure ? 'fail' : 'pass',
      observed:
        r.failure ??
        `${r.tables.length} table(s) matched (compared with ${[...new Set(r.tables.map((t) => t.comparedWith ?? 'the source'))].join(', ') || 'nothing'}), ${r.verification.length} quer${r.verification.length === 1 ? 'y' : 'ies'} passed, restored in ${formatMs(r.restoreTookMs ?? 0)}`,
      ...(r.backup.file
        ? {
            detail: `${r.backup.method}: ${r.backup.file}${r.backup.bytes !== undefined ? ` (${r.backup.bytes} bytes)` : ''}`,
          }
        : {}),
    });
    if (slos.rpo) {
      const base = { id: `rpo restore ${f.id}`, source: 'slo', objective: `RPO ${slos.rpo}` } as const;
      const count = parseObjective(slos.rpo, 'count');
      const value = count ? r.lostWrites : r.rpoMs;
      if (value === undefined)
        out.push({
          ...base,
          status: r.failure ? 'fail' : 'no-data',
          detail: r.failure
            ? 'no copy to measure'
            : (r.rpoBasis ?? 'nothing measured the age of the copy (add a db-write probe or a freshness query)'),
        });
      else
        out.push({
          ...base,
          status: holds(value, count ?? parseObjective(slos.rpo, 'ms')!) ? 'pass' : 'fail',
          observed: count
            ? `${value} acknowledged write${value === 1 ? '' : 's'} missing from the copy`
            : `the copy is ${formatMs(value)} old`,
          ...(r.rpoBasis ? { detail: r.rpoBasis } : {}),
        });
    }
  }
  if (slos.uptime) {
    const p = c.probes.find((x) => (slos.uptimeProbe ? x.name === slos.uptimeProbe : x.kind === 'http'));
    const base = { id: `uptime ${p?.name ?? ''}`.trim(), source: 'slo', objective: `uptime ${slos.uptime}` } as const;
    const ratio = p ? uptimeOf(p) : undefined;
    if (!p || ratio === undefined) out.push({ ...base, status: 'no-data', detail: 'no probe sample in the window' });
    else {
      out.push({
        ...base,
        status: holds(ratio, parseObjective(slos.uptime, 'percent')!) ? 'pass' : 'fail',
        observed: `${(ratio * 100).toFixed(2)}% of the time (${formatMs(p.healthyMs ?? 0)} healthy of ${formatMs(p.coveredMs ?? 0)}; ${p.ok}/${p.total} samples every ${formatMs(p.intervalMs)})`,
      });
    }
  }
  return out;
}

/** --dry-run: what the experiment would hit was resolved (faults that cannot resolve fail before this). */
export function dryRunVerdict(resolved: number): Verdict {
  return {
    id: 'dry-run',
    source: 'slo',
    objective: 'resolve what the experiment would hit',
    status: 'pass',
    observed: `${resolved} injection(s) resolved, none made`,
  };
}

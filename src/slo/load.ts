// Pure: the load's own verdicts beside its thresholds — did it run its schedule and did any request succeed,
// did the engine finish, and k6's own threshold judgements where k6 judged (teams' scripts,
// merged k6-operator runners) or where it disagrees with Gauntlet's exact histograms.
import type { LoadResult, Verdict } from '../record/schema.ts';
import { decided, errored, failed, noData } from './verdict.ts';

const LOAD_RAN = 'the load ran its schedule and the target answered requests successfully';

/** A load that could not run: never a pass, never silently absent. */
export function loadErrorVerdict(why: string): Verdict {
  return errored({ id: 'load', kind: 'load', objective: LOAD_RAN }, why);
}

/**
 * Requests the target answered at all: an HTTP status (a 5xx too), or a database's reply (a result
 * or its own error) — everything but a network failure (timeout, refused, reset, TLS). Says whether
 * the target was there, not whether it worked.
 */
export function answered(load: LoadResult): number {
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const network = ['timeout', 'refused', 'reset', 'tls', 'other'];
  return Object.values(load.byName).reduce(
    (n, b) =>
      n +
      (b.kind === undefined || b.kind === 'http'
        ? sum(b.totals.statuses)
        : b.totals.requests - network.reduce((k, c) => k + (b.totals.errors[c] ?? 0), 0)),
    0,
  );
}

/** Requests that succeeded: answered and not failed (an HTTP 5xx or 4xx, a SQL error is an answer, not a success). */
export function succeeded(load: LoadResult): number {
  return Math.max(0, load.totals.requests - load.totals.failed);
}

/**
 * The load ran and got at least one successful answer, and no abortOnFail threshold stopped it. A
 * run where every request failed fails here whatever its thresholds say; how many may fail is the
 * *_failed thresholds' (the default one included) to judge.
 */
export function loadRanVerdict(load: LoadResult): Verdict {
  const ok = succeeded(load);
  const responses = answered(load);
  const base = { id: 'load', kind: 'load', objective: LOAD_RAN } as const;
  if (load.totals.requests === 0) return noData(base, 'no request completed');
  const evidence = { samples: load.totals.requests, coveredMs: load.durationMs, from: 'every request of the load' };
  const counts = `${load.totals.requests} requests, ${responses} answered, ${ok} succeeded`;
  const errors = Object.entries(load.totals.errors)
    .map(([k, v]) => `${k}: ${v}${load.errorReasons?.[k] ? ` (${load.errorReasons[k]})` : ''}`)
    .join(', ');
  if (load.thresholdAbort)
    return failed(base, {
      evidence,
      observed: `stopped at +${(load.thresholdAbort.atMs / 1000).toFixed(1)} s of ${(load.scheduledMs / 1000).toFixed(0)} s scheduled: ${counts}`,
      detail: `a threshold with abortOnFail stopped the run (${load.thresholdAbort.thresholds.map((t) => t.id).join(', ') || 'which one, the engine did not say'}): a run stopped early never passes`,
    });
  if (ok === 0)
    return failed(base, {
      evidence,
      observed: `${counts}: no request succeeded`,
      ...(errors ? { detail: errors } : {}),
    });
  return decided(base, true, evidence, { observed: counts });
}

/** k6 crashing mid-run: the partial result is reported and the run fails on it. */
export function engineVerdicts(load: LoadResult): Verdict[] {
  if (!load.k6?.error) return [];
  return [
    failed(
      { id: 'engine', kind: 'engine', objective: 'the load engine ran the whole profile' },
      { observed: load.k6.error, detail: 'results below are partial' },
    ),
  ];
}

/** On k6, Gauntlet judges its exact histograms; where k6's own verdict differs, the detail says so. */
export function withK6Judgement(verdicts: Verdict[], load: LoadResult): Verdict[] {
  const judged = load.k6?.thresholds;
  if (!judged?.length) return verdicts;
  return verdicts.map((v) => {
    const k = judged.find((t) => `${t.metric} ${t.expr}`.replace(/\s+/g, '') === v.id.replace(/\s+/g, ''));
    if (!k || v.status === 'no-data' || (v.status === 'pass') === k.ok) return v;
    const note = `k6 judged it ${k.ok ? 'passed' : 'failed'}${k.observed ? ` (${k.observed})` : ''}: k6 times failed requests as 0 ms and reports its own percentile estimate; Gauntlet judges the HDR histogram of answered requests`;
    return { ...v, detail: v.detail ? `${v.detail}; ${note}` : note };
  });
}

/** k6's own threshold judgements as verdicts (teams' scripts, and merged k6-operator runners). */
export function k6ThresholdVerdicts(result: LoadResult, defaults: readonly string[] = []): Verdict[] {
  return (result.k6?.thresholds ?? []).map((t) => {
    const head = {
      id: `${t.metric} ${t.expr}`,
      kind: 'threshold',
      objective: t.expr,
      ...(defaults.includes(t.metric) ? { byDefault: true } : {}),
    } as const;
    if (t.observed === undefined) return noData(head, `k6 reported no value for ${t.metric}`);
    return decided(
      head,
      t.ok,
      { samples: result.totals.requests, from: `k6's own judgement of ${t.metric}` },
      {
        observed: t.observed,
        ...(result.k6?.bound
          ? { detail: 'judged on every runner: passes only when each runner met it (merged percentiles are bounds)' }
          : {}),
      },
    );
  });
}

// The one way a verdict is made. A verdict is a value with its evidence: what it judged (kind, scope),
// what was required (objective, bound), what was measured (value, unit) and what that rests on (how
// many samples, over what time, from what). A pass cannot be built without evidence behind it: every
// constructor here turns "no samples" into no-data, and the record's schema refuses a pass without
// evidence when it is written or read. Pure.
import { type Comparison, holds } from '../core/comparison.ts';
import type { Evidence, Verdict, VerdictKind, VerdictScope, VerdictUnit } from '../record/schema.ts';

export type { Evidence, Verdict, VerdictKind, VerdictScope, VerdictUnit };

/** Which stage of a run a kind of verdict belongs to: the report groups and names by it. */
export const SCOPE_OF: Record<VerdictKind, VerdictScope> = {
  smoke: 'smoke',
  target: 'run',
  container: 'run',
  load: 'load',
  threshold: 'load',
  engine: 'load',
  generator: 'load',
  dropped: 'load',
  shards: 'load',
  prometheus: 'prometheus',
  capacity: 'capacity',
  'capacity-trend': 'capacity',
  'steady-state': 'experiment',
  experiment: 'experiment',
  fault: 'experiment',
  rollback: 'experiment',
  rto: 'experiment',
  rpo: 'experiment',
  restore: 'experiment',
  'restore-rpo': 'experiment',
  uptime: 'experiment',
  alert: 'experiment',
  'dry-run': 'experiment',
  scenario: 'drill',
  'plan-rto': 'drill',
  'plan-rpo': 'drill',
  compare: 'compare',
};

/** What every verdict names: its id (unique in the run), what it judges, and what was required. */
export interface VerdictHead {
  id: string;
  kind: VerdictKind;
  objective: string;
  /** Where it came from; defaults from the kind. */
  source?: Verdict['source'];
  /** The step it belongs to (an experiment's title, a drill scenario's name), when there are several. */
  phase?: string;
  /** Applied by default, not written by the user (the report says so). */
  byDefault?: boolean;
}

interface Told {
  observed?: string | undefined;
  detail?: string | undefined;
  window?: { fromS: number; toS: number } | undefined;
}

const SOURCE_OF: Partial<Record<VerdictKind, Verdict['source']>> = {
  smoke: 'smoke',
  threshold: 'threshold',
  engine: 'consistency',
  generator: 'consistency',
  dropped: 'consistency',
  shards: 'consistency',
};

function headOf(h: VerdictHead) {
  return {
    id: h.id,
    kind: h.kind,
    scope: SCOPE_OF[h.kind],
    source: h.source ?? SOURCE_OF[h.kind] ?? 'slo',
    objective: h.objective,
    ...(h.phase !== undefined ? { phase: h.phase } : {}),
    ...(h.byDefault ? { byDefault: true as const } : {}),
  };
}

function told(t: Told) {
  return {
    ...(t.observed !== undefined ? { observed: t.observed } : {}),
    ...(t.detail !== undefined ? { detail: t.detail } : {}),
    ...(t.window !== undefined ? { window: t.window } : {}),
  };
}

const backed = (e: Evidence | undefined): boolean => e !== undefined && e.samples > 0;

/**
 * A number held to a bound: pass or fail by the bound's comparison; no-data when nothing was
 * measured (no value, or no samples behind it).
 */
export function measured(
  head: VerdictHead,
  m: Told & { value: number | undefined; unit: VerdictUnit; bound: Comparison; evidence: Evidence },
): Verdict {
  const bound = { op: m.bound.op, value: m.bound.value, unit: m.unit };
  if (m.value === undefined || !Number.isFinite(m.value) || !backed(m.evidence))
    return {
      ...headOf(head),
      status: 'no-data',
      bound,
      evidence: m.evidence,
      ...told({ ...m, detail: m.detail ?? `no sample: ${m.evidence.from}` }),
    };
  return {
    ...headOf(head),
    status: holds(m.value, m.bound) ? 'pass' : 'fail',
    measured: { value: m.value, unit: m.unit },
    bound,
    evidence: m.evidence,
    ...told(m),
  } as Verdict;
}

/** A judgement that is not one number against one bound: passes only with samples behind it. */
export function decided(head: VerdictHead, ok: boolean, evidence: Evidence, t: Told = {}): Verdict {
  if (!ok) return { ...headOf(head), status: 'fail', evidence, ...told(t) };
  if (!backed(evidence))
    return {
      ...headOf(head),
      status: 'no-data',
      evidence,
      ...told({ ...t, detail: t.detail ?? `no sample: ${evidence.from}` }),
    };
  return { ...headOf(head), status: 'pass', evidence, ...told(t) };
}

/** Seen to fail: a failure needs no minimum of samples (one refused connection is enough). */
export function failed(head: VerdictHead, t: Told & { evidence?: Evidence | undefined } = {}): Verdict {
  return { ...headOf(head), status: 'fail', ...(t.evidence ? { evidence: t.evidence } : {}), ...told(t) };
}

/** Nothing was measured: fails the run like a failure, says why. */
export function noData(head: VerdictHead, detail: string, t: Omit<Told, 'detail'> = {}): Verdict {
  return { ...headOf(head), status: 'no-data', ...told({ ...t, detail }) };
}

/** The stage behind the verdict could not run: fails the run like a failure, says why. */
export function errored(head: VerdictHead, detail: string, t: Omit<Told, 'detail'> = {}): Verdict {
  return { ...headOf(head), status: 'error', ...told({ ...t, detail }) };
}

/** The same verdict as one step of a run with several (a drill scenario, a demo experiment). */
export function inPhase(v: Verdict, phase: string): Verdict {
  return { ...v, id: `${phase} › ${v.id}`, phase };
}

// Verdicts as a reader scans them: grouped by the phase that produced them (smoke, load, each
// experiment or drill step), the phases with failures first and failures first within each, and
// each with a name a person would say ("Recovery time after fault 1.1") beside its id. Pure.
import type { Verdict, VerdictKind, VerdictScope } from '../record/schema.ts';
import { failuresFirst } from './headline.ts';

const SCOPE_TITLE: Record<VerdictScope, string> = {
  smoke: 'Smoke checks',
  run: 'Target and image under test',
  load: 'Load',
  prometheus: 'Prometheus SLOs',
  capacity: 'Capacity',
  experiment: 'Chaos experiment',
  drill: 'DR plan',
  compare: 'Comparison with the baseline',
};

/** The phase a verdict belongs to: its step when it has one, else its scope. */
export function phaseOf(v: Verdict): string {
  return v.phase ?? SCOPE_TITLE[v.scope];
}

/** `{name:orders}` → " of orders"; other tags as written. */
const selector = (s: string | undefined) => {
  if (!s) return '';
  const inner = s.slice(1, -1);
  return ` of ${inner.startsWith('name:') ? inner.slice(5) : inner}`;
};

const METRIC_NAMES: [RegExp, string][] = [
  [/^(http_req|db_query|redis_cmd)_duration$/, 'Latency'],
  [/^(http_req|db_query|redis_cmd)_failed$/, 'Failed requests'],
  [/^iteration_duration$/, 'Iteration time'],
  [/^dropped_iterations$/, 'Dropped arrivals'],
];

/** What each kind judges, as a person would say it; `rest` is the id after its kind's word. */
const NAMES: Record<VerdictKind, (rest: string, v: Verdict) => string> = {
  smoke: () => 'Every smoke check passed',
  target: (rest) => `The target answered${rest ? ` (${rest})` : ''}`,
  container: () => 'The image under test started and answered',
  load: () => 'The load ran its schedule and the target answered successfully',
  threshold: (_, v) => {
    const id = v.id.replace(/^.*› /, '');
    const m = /^([a-z_]+)(\{[^}]*\})? (.+)$/.exec(id);
    const name = m && METRIC_NAMES.find(([re]) => re.test(m[1]!))?.[1];
    return `${m && name ? `${name}${selector(m[2])}: ${m[3]}` : id}${v.byDefault ? ' (by default)' : ''}`;
  },
  engine: () => 'The load engine ran to its end',
  generator: () => 'The load generator kept its schedule',
  dropped: () => 'Every scheduled arrival was sent',
  shards: () => 'Every shard ran on time and to its end',
  prometheus: (rest) => `Prometheus SLO ${rest}`,
  capacity: () => 'Capacity found',
  'capacity-trend': () => 'Capacity against earlier runs',
  'steady-state': () => 'Steady state before and after the faults',
  experiment: () => 'The experiment measured something',
  fault: (rest) => `Fault ${rest} acted`,
  rollback: (rest) => `Fault ${rest} undone`,
  rto: (rest) => `Recovery time after fault ${rest}`,
  rpo: () => 'Acknowledged writes lost (RPO)',
  restore: (rest) => `Backup restored and verified (${rest})`,
  'restore-rpo': (rest) => `Data lost by restore ${rest} (RPO)`,
  uptime: (rest) => `Uptime${rest ? ` seen by ${rest}` : ''} during the experiment`,
  alert: (rest) => {
    const m = /^(.+) (fires|silent)$/.exec(rest);
    return m ? `Alert ${m[1]} ${m[2] === 'fires' ? 'fired' : 'stayed silent'}` : `Alert ${rest}`;
  },
  'dry-run': () => 'What the experiment would hit was resolved',
  scenario: () => 'The scenario ran',
  'plan-rto': () => 'Recovery time within the DR plan',
  'plan-rpo': () => 'Data loss within the DR plan',
  compare: (rest) => `Against the baseline: ${rest}`,
};

/** A name a person would say, from the verdict's kind; the words after the kind in its id fill it in. */
export function humanName(v: Verdict): string {
  const id = v.id.replace(/^.*› /, '');
  const rest = id.includes(' ') ? id.slice(id.indexOf(' ') + 1) : '';
  return NAMES[v.kind](v.kind === 'restore-rpo' ? rest.replace(/^restore /, '') : rest, v);
}

/** Phases in the order the run produced them, those with a failing verdict first; failures first within each. */
export function byPhase(verdicts: readonly Verdict[]): { phase: string; verdicts: Verdict[] }[] {
  const groups = new Map<string, Verdict[]>();
  for (const v of verdicts) {
    const p = phaseOf(v);
    groups.set(p, [...(groups.get(p) ?? []), v]);
  }
  const all = [...groups].map(([phase, vs]) => ({ phase, verdicts: failuresFirst(vs) }));
  const failing = (g: { verdicts: Verdict[] }) => g.verdicts.some((v) => v.status !== 'pass');
  return [...all.filter(failing), ...all.filter((g) => !failing(g))];
}

// Verdicts as a reader scans them: grouped by the phase that produced them (smoke, load, each
// experiment or drill step), the phases with failures first and failures first within each, and
// each with a name a person would say ("Recovery time after fault 1.1") beside its id. Pure.
import type { Verdict } from '../record/schema.ts';
import { failuresFirst } from './headline.ts';

const CHAOS = /^(rto|rpo|restore|steady-state|uptime|alert|kill|dry-run)\b/;

/** The phase a verdict belongs to: the step named before " › ", else its kind. */
export function phaseOf(v: Verdict): string {
  const i = v.id.indexOf(' › ');
  if (i > 0) return v.id.slice(0, i);
  if (v.source === 'smoke') return 'Smoke checks';
  if (/^(DR plan|capacity)/.test(v.id)) return v.id.startsWith('DR plan') ? 'DR plan' : 'Capacity';
  if (/^compare/.test(v.id)) return 'Comparison with the baseline';
  if (/^prometheus /.test(v.id)) return 'Prometheus SLOs';
  if (v.id === 'container') return 'Image under test';
  if (CHAOS.test(v.id)) return 'Chaos experiment';
  return 'Load';
}

/** `{name:orders}` → " of orders"; other tags as written. */
const selector = (s: string | undefined) => {
  if (!s) return '';
  const inner = s.slice(1, -1);
  return ` of ${inner.startsWith('name:') ? inner.slice(5) : inner}`;
};

const NAMES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^rto (\S+)$/, (m) => `Recovery time after fault ${m[1]}`],
  [/^rpo restore (\S+)$/, (m) => `Data lost by restore ${m[1]} (RPO)`],
  [/^rpo$/, () => 'Acknowledged writes lost (RPO)'],
  [/^restore (\S+)$/, (m) => `Backup restored and verified (${m[1]})`],
  [/^steady-state$/, () => 'Steady state before and after the faults'],
  [/^uptime ?(.*)$/, (m) => `Uptime${m[1] ? ` seen by ${m[1]}` : ''} during the experiment`],
  [/^alert (.+) fires$/, (m) => `Alert ${m[1]} fired`],
  [/^alert (.+) silent$/, (m) => `Alert ${m[1]} stayed silent`],
  [/^load$/, () => 'The load ran and the target answered'],
  [/^generator$/, () => 'The load generator kept its schedule'],
  [/^dropped_iterations$/, () => 'Every scheduled arrival was sent'],
  [/^dropped_iterations (.+)$/, (m) => `Dropped arrivals: ${m[1]}`],
  [/^shards$/, () => 'Every shard ran on time and to its end'],
  [/^engine$/, () => 'The load engine ran to its end'],
  [/^http_req_duration(\{[^}]*\})? (.+)$/, (m) => `Latency${selector(m[1])}: ${m[2]}`],
  [/^http_req_failed(\{[^}]*\})? (.+)$/, (m) => `Failed requests${selector(m[1])}: ${m[2]}`],
  [/^iteration_duration(\{[^}]*\})? (.+)$/, (m) => `Iteration time${selector(m[1])}: ${m[2]}`],
  [/^smoke$/, () => 'Every smoke check passed'],
  [/^capacity$/, () => 'Capacity found'],
  [/^capacity trend$/, () => 'Capacity against earlier runs'],
  [/^DR plan RTO$/, () => 'Recovery time within the DR plan'],
  [/^DR plan RPO$/, () => 'Data loss within the DR plan'],
  [/^prometheus (.+)$/, (m) => `Prometheus SLO ${m[1]}`],
];

/** A name a person would say; the id itself when there is none better. */
export function humanName(v: Verdict): string {
  const i = v.id.indexOf(' › ');
  const id = i < 0 ? v.id : v.id.slice(i + 3);
  for (const [re, name] of NAMES) {
    const m = re.exec(id);
    if (m) return name(m);
  }
  return id;
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

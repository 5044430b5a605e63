// The answer first: one or two sentences, with numbers, that say whether the deploy may stay and
// why — the failing verdicts when any fail, else the figures nearest their objectives. Pure: a
// view of the run record like every other renderer.
import type { RunRecord, Verdict, VerdictKind } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';

/** The kinds whose figure the answer quotes when all pass: the one nearest its bound, per kind. */
const QUOTED: readonly VerdictKind[] = [
  'threshold',
  'rto',
  'plan-rto',
  'rpo',
  'plan-rpo',
  'uptime',
  'capacity',
  'restore',
];

const said = (v: Verdict) =>
  `${v.id} ${v.observed ?? v.status}${v.observed && !v.id.includes(v.objective) ? ` (${v.objective})` : ''}`;

/** What a command's pass and fail mean, in its own words: a chaos run does not judge a deploy. */
function conclusion(r: RunRecord): { pass: string; fail: string } {
  if (r.verdicts.length > 0 && r.verdicts.every((v) => v.kind === 'dry-run'))
    return {
      pass: 'Dry run: nothing was injected and nothing judged',
      fail: 'The dry run could not resolve its targets',
    };
  switch (r.command) {
    case 'chaos':
      return { pass: 'The system held under the experiment', fail: 'The system did not hold under the experiment' };
    case 'drill':
      return { pass: 'The DR plan was met', fail: 'The DR plan was not met' };
    case 'capacity':
      return { pass: 'Capacity holds', fail: 'Capacity does not hold' };
    case 'compare':
      return { pass: 'No regression against the baseline', fail: 'A regression against the baseline' };
    case 'demo':
      return { pass: 'The demo stack passed', fail: 'The demo stack failed' };
    default:
      return { pass: 'The deploy may stay', fail: 'Do not keep this deploy' };
  }
}

export function headline(r: RunRecord): string {
  if (r.status === 'aborted')
    return `Interrupted before the end: ${r.errors[0] ?? 'stopped'} — the figures below are partial.`;
  const failing = r.verdicts.filter((v) => v.status !== 'pass');
  if (r.status === 'error') {
    const kept = r.verdicts.length
      ? ` ${r.verdicts.length - failing.length} of ${r.verdicts.length} verdicts measured before it passed.`
      : '';
    return `The run could not finish: ${r.errors[0] ?? 'harness error'}.${kept}`;
  }
  const say = conclusion(r);
  if (failing.length) {
    const shown = failing.slice(0, 3).map(said).join('; ');
    const more = failing.length > 3 ? `; and ${failing.length - 3} more` : '';
    return `${say.fail}: ${failing.length} of ${r.verdicts.length} verdicts fail — ${shown}${more}.`;
  }
  if (r.verdicts.length === 0) return 'Nothing was judged: no verdict, which fails.';
  if (say.pass.startsWith('Dry run')) return `${say.pass}: ${r.verdicts.map((v) => v.observed ?? v.id).join('; ')}.`;
  // One figure per kind (latency, RTO, RPO, uptime, …): the one nearest its bound.
  const byKind = new Map<VerdictKind, { v: Verdict; used: number }>();
  for (const x of r.verdicts) {
    if (!QUOTED.includes(x.kind)) continue;
    const used = margin(x) ?? -1;
    const seen = byKind.get(x.kind);
    if (!seen || used > seen.used) byKind.set(x.kind, { v: x, used });
  }
  const key = [...byKind.values()].map((x) => x.v).slice(0, 4);
  const shown = (key.length ? key.map(brief) : r.verdicts.slice(0, 3).map(said)).join('; ');
  return `${say.pass}: all ${r.verdicts.length} verdicts pass — ${shown}.`;
}

/** How much of a ceiling a passing figure used (0–1); undefined for floors and verdicts without a number. */
function margin(v: Verdict): number | undefined {
  if (!v.measured || !v.bound?.op.startsWith('<') || v.bound.value <= 0) return undefined;
  return v.measured.value / v.bound.value;
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(2)}%`;

/** "items p(99) 90.1 ms of 100 ms", "db failover RTO 9.48 s of 30 s": the figure against its bound. */
function brief(v: Verdict): string {
  const step = v.phase ? `${v.phase} ` : '';
  const m = v.measured;
  const b = v.bound;
  if (!m || !b) return `${step}${v.observed ?? said(v)}`;
  const of = (x: number) => (b.unit === 'ms' ? formatMs(x) : b.unit === 'ratio' ? pct(x) : `${x} ${b.unit}`);
  switch (v.kind) {
    case 'threshold': {
      const name = /\{name:([^}]+)\}/.exec(v.id)?.[1];
      const aggregation = v.objective.split(/[<>=!]/)[0];
      return `${step}${name ? `${name} ` : ''}${aggregation} ${of(m.value)} of ${of(b.value)}`;
    }
    case 'rto':
    case 'plan-rto':
      return `${step}RTO ${m.value === 0 ? '0 s (no outage)' : of(m.value)} of ${of(b.value)}`;
    case 'uptime':
      return `${step}uptime ${pct(m.value)} (${b.op}${pct(b.value)})`;
    default:
      return `${step}${v.observed ?? of(m.value)}`;
  }
}

/** Failing verdicts first (fail, error, no-data), each group in the order the run produced them. */
export function failuresFirst(verdicts: readonly Verdict[]): Verdict[] {
  return [...verdicts.filter((v) => v.status !== 'pass'), ...verdicts.filter((v) => v.status === 'pass')];
}

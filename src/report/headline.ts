// The answer first: one or two sentences, with numbers, that say whether the deploy may stay and
// why — the failing verdicts when any fail, else the figures nearest their objectives. Pure: a
// view of the run record like every other renderer.
import type { RunRecord, Verdict } from '../record/schema.ts';

const KEY = /^(http_req_duration|rto|rpo|uptime|capacity|restore|DR plan)/;

const said = (v: Verdict) =>
  `${v.id} ${v.observed ?? v.status}${v.observed && !v.id.includes(v.objective) ? ` (${v.objective})` : ''}`;

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
  if (failing.length) {
    const shown = failing.slice(0, 3).map(said).join('; ');
    const more = failing.length > 3 ? `; and ${failing.length - 3} more` : '';
    return `Do not keep this deploy: ${failing.length} of ${r.verdicts.length} verdicts fail — ${shown}${more}.`;
  }
  if (r.verdicts.length === 0) return 'Nothing was judged: no verdict, which fails.';
  // One figure per kind (latency, RTO, RPO, uptime, …), an outage measured before "no outage".
  const kindOf = (v: Verdict) => KEY.exec(v.id.replace(/^.*› /, ''))?.[1];
  const byKind = new Map<string, Verdict>();
  for (const x of r.verdicts) {
    const k = kindOf(x);
    if (!k) continue;
    const seen = byKind.get(k);
    if (!seen || (seen.observed?.startsWith('0 s') && !x.observed?.startsWith('0 s'))) byKind.set(k, x);
  }
  const key = [...byKind.values()].slice(0, 4);
  const shown = (key.length ? key : r.verdicts.slice(0, 3)).map(said).join('; ');
  return `The deploy may stay: all ${r.verdicts.length} verdicts pass — ${shown}.`;
}

/** Failing verdicts first (fail, error, no-data), each group in the order the run produced them. */
export function failuresFirst(verdicts: readonly Verdict[]): Verdict[] {
  return [...verdicts.filter((v) => v.status !== 'pass'), ...verdicts.filter((v) => v.status === 'pass')];
}

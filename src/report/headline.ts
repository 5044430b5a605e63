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
  // One figure per kind (latency, RTO, RPO, uptime, …): the one nearest its objective.
  const byKind = new Map<string, { v: Verdict; used: number }>();
  for (const x of r.verdicts) {
    const k = KEY.exec(x.id.replace(/^.*› /, ''))?.[1];
    if (!k) continue;
    const used = margin(x) ?? -1;
    const seen = byKind.get(k);
    if (!seen || used > seen.used) byKind.set(k, { v: x, used });
  }
  const key = [...byKind.values()].map((x) => x.v).slice(0, 4);
  const shown = (key.length ? key.map(brief) : r.verdicts.slice(0, 3).map(said)).join('; ');
  return `The deploy may stay: all ${r.verdicts.length} verdicts pass — ${shown}.`;
}

/** A duration or number with its unit, in ms (bare numbers in latency objectives are ms). */
function ms(text: string | undefined, bare: 'ms' | 's'): number | undefined {
  const m = /(\d+(?:\.\d+)?)\s*(µs|ms|s|m)?\b/.exec(text ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return n * { µs: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] ?? bare]!;
}

/** How much of its objective a passing latency or RTO used (0–1); undefined when not a bound. */
function margin(v: Verdict): number | undefined {
  const id = v.id.replace(/^.*› /, '');
  if (id.startsWith('http_req_duration')) {
    const limit = ms(/[<≤]=?\s*([\d.]+\s*\w*)/.exec(v.objective)?.[1], 'ms');
    const seen = ms(/=\s*([\d.]+\s*\w+)/.exec(v.observed ?? '')?.[1], 'ms');
    return limit && seen !== undefined ? seen / limit : undefined;
  }
  if (id.startsWith('rto')) {
    const limit = ms(/<=?\s*([\d.]+\s*\w*)/.exec(v.objective)?.[1], 's');
    const seen = v.observed?.startsWith('0 s') ? 0 : ms(v.observed, 's');
    return limit && seen !== undefined ? seen / limit : undefined;
  }
  return undefined;
}

/** "health p(95) 4.67 ms of 50 ms", "db failover RTO 9.48 s of 30 s": the figure against its bound. */
function brief(v: Verdict): string {
  const step = v.id.includes(' › ') ? `${v.id.slice(0, v.id.indexOf(' › '))} ` : '';
  const id = v.id.replace(/^.*› /, '');
  const lat = /^http_req_duration(?:\{name:([^}]+)\})? (p\(\d+(?:\.\d+)?\))[<≤]=?\s*([\d.]+)(\w*)$/.exec(id);
  const seen = /=\s*(.+)$/.exec(v.observed ?? '')?.[1];
  if (lat && seen) return `${step}${lat[1] ? `${lat[1]} ` : ''}${lat[2]} ${seen} of ${lat[3]} ${lat[4] || 'ms'}`;
  const limit = /^RTO <=?\s*([\d.]+)\s*(\w+)$/.exec(v.objective);
  if (id.startsWith('rto') && limit && v.observed)
    return `${step}RTO ${v.observed.startsWith('0 s') ? '0 s (no outage)' : v.observed} of ${limit[1]} ${limit[2]}`;
  const lost = /^(\d+) acknowledged writes? lost.*\(of (\d+)\)$/.exec(v.observed ?? '');
  if (id === 'rpo' && lost) return `${step}${lost[1]} of ${lost[2]} acknowledged writes lost`;
  const up = /^([\d.]+%)/.exec(v.observed ?? '');
  if (id.startsWith('uptime') && up) return `${step}${id} ${up[1]} (${v.objective.replace(/^uptime /, '')})`;
  return said(v);
}

/** Failing verdicts first (fail, error, no-data), each group in the order the run produced them. */
export function failuresFirst(verdicts: readonly Verdict[]): Verdict[] {
  return [...verdicts.filter((v) => v.status !== 'pass'), ...verdicts.filter((v) => v.status === 'pass')];
}

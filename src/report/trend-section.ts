// The trend: the key figures of earlier runs of the same command in the same environment, this
// run's beside them, and the change since the last run — worse in red, whichever way "worse" is.
import type { KeyFigures, RunRecord } from '../record/schema.ts';
import { keyFigures } from '../record/figures.ts';
import { formatMs } from '../core/duration.ts';
import { escapeHtml as h } from './escape.ts';

type Key = keyof KeyFigures;
/** A latency column: a fall in it means nothing when failures rose (failed requests are timed too). */
const COLUMNS: { key: Key; title: string; show(v: number): string; worseWhen: 'higher' | 'lower'; latency?: true }[] = [
  { key: 'p95Ms', title: 'p95', show: formatMs, worseWhen: 'higher', latency: true },
  { key: 'errorRate', title: 'failed requests', show: (v) => `${(v * 100).toFixed(2)}%`, worseWhen: 'higher' },
  { key: 'throughputRps', title: 'answered/s', show: (v) => `${v.toFixed(1)} req/s`, worseWhen: 'lower' },
  { key: 'uptime', title: 'uptime', show: (v) => `${(v * 100).toFixed(2)}%`, worseWhen: 'lower' },
  { key: 'sustainableRps', title: 'capacity', show: (v) => `${v} req/s`, worseWhen: 'lower' },
  { key: 'rtoMs', title: 'worst RTO', show: formatMs, worseWhen: 'higher' },
  { key: 'lostWrites', title: 'lost writes', show: String, worseWhen: 'higher' },
];

/**
 * Failed requests rose by more than this share since the last run (0.5 pt, compare's default
 * limit): latencies are then of a different population — requests refused fast lower them.
 */
export const FAILURES_ROSE = 0.005;

export function failuresRose(now: KeyFigures, before: KeyFigures): boolean {
  return (
    now.errorRate !== undefined && before.errorRate !== undefined && now.errorRate > before.errorRate + FAILURES_ROSE
  );
}

/**
 * "+12% (worse)" against the last run, or nothing when either side has no figure. `notComparable`
 * (failures rose, for a latency): a fall is not better — shown as not comparable, in red.
 */
export function change(
  now: number | undefined,
  before: number | undefined,
  worseWhen: 'higher' | 'lower',
  notComparable = false,
): string {
  if (now === undefined || before === undefined) return '';
  const rel = before === 0 ? '' : ` ${now > before ? '+' : ''}${(((now - before) / before) * 100).toFixed(0)}%`;
  const worse = worseWhen === 'higher' ? now > before : now < before;
  if (notComparable && !worse)
    return `<span class="bad">${now === before ? '=' : `${now > before ? '▲' : '▼'}${rel}`} not comparable: failures rose</span>`;
  if (now === before) return '<span class="dim">=</span>';
  return `<span class="${worse ? 'bad' : 'good'}">${now > before ? '▲' : '▼'}${rel} ${worse ? 'worse' : 'better'}</span>`;
}

export function trendSection(r: RunRecord): string {
  const earlier = r.trend ?? [];
  const now = keyFigures(r);
  const cols = COLUMNS.filter((c) => now[c.key] !== undefined || earlier.some((e) => e.figures[c.key] !== undefined));
  if (!cols.length) return '';
  if (!earlier.length)
    return `<h2>Trend</h2><p class="dim">No earlier <code>${h(r.command)}</code> run of ${h(r.environment.name)}
in the reports folder: this run is the baseline.</p>`;
  const last = earlier.at(-1)!;
  const cell = (f: KeyFigures, c: (typeof cols)[number]) =>
    `<td class="num">${f[c.key] === undefined ? '—' : h(c.show(f[c.key]!))}</td>`;
  const badge = (status: string) => `<span class="badge ${h(status)}">${h(status)}</span>`;
  const figures = (f: KeyFigures) => cols.map((c) => cell(f, c)).join('');
  const rows = earlier
    .map(
      (e) =>
        `<tr><td><code>${h(e.runId)}</code></td><td>${h(e.startedAt)}</td><td>${badge(e.status)}</td>${figures(e.figures)}</tr>`,
    )
    .join('');
  const rose = failuresRose(now, last.figures);
  const changes = cols
    .map(
      (c) => `<td class="num">${change(now[c.key], last.figures[c.key], c.worseWhen, rose && c.latency === true)}</td>`,
    )
    .join('');
  const runs = `${earlier.length} <code>${h(r.command)}</code> run${earlier.length === 1 ? '' : 's'}`;
  return `<h2>Trend <span class="dim">the last ${runs} of ${h(r.environment.name)}, and this one</span></h2>
<table><thead><tr><th>run</th><th>started</th><th>status</th>${cols.map((c) => `<th>${h(c.title)}</th>`).join('')}</tr></thead><tbody>${rows}
<tr><td><b>this run</b></td><td>${h(r.startedAt)}</td><td>${badge(r.status)}</td>${figures(now)}</tr>
<tr><td colspan="3">change since the last run</td>${changes}</tr>
</tbody></table>`;
}

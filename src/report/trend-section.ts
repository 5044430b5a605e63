// The trend: the key figures of earlier runs of the same command in the same environment, this
// run's beside them, and the change since the last run — worse in red, whichever way "worse" is.
import type { KeyFigures, RunRecord } from '../record/schema.ts';
import { keyFigures } from '../record/figures.ts';
import { formatMs } from '../core/duration.ts';
import { escapeHtml as h } from './escape.ts';

type Key = keyof KeyFigures;
const COLUMNS: { key: Key; title: string; show(v: number): string; worseWhen: 'higher' | 'lower' }[] = [
  { key: 'p95Ms', title: 'p95', show: formatMs, worseWhen: 'higher' },
  { key: 'errorRate', title: 'error rate', show: (v) => `${(v * 100).toFixed(2)}%`, worseWhen: 'higher' },
  { key: 'sustainableRps', title: 'capacity', show: (v) => `${v} req/s`, worseWhen: 'lower' },
  { key: 'rtoMs', title: 'worst RTO', show: formatMs, worseWhen: 'higher' },
  { key: 'lostWrites', title: 'lost writes', show: String, worseWhen: 'higher' },
];

/** "+12% (worse)" against the last run, or nothing when either side has no figure. */
export function change(now: number | undefined, before: number | undefined, worseWhen: 'higher' | 'lower'): string {
  if (now === undefined || before === undefined) return '';
  if (now === before) return '<span class="dim">=</span>';
  const worse = worseWhen === 'higher' ? now > before : now < before;
  const rel = before === 0 ? '' : ` ${now > before ? '+' : ''}${(((now - before) / before) * 100).toFixed(0)}%`;
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
  const changes = cols
    .map((c) => `<td class="num">${change(now[c.key], last.figures[c.key], c.worseWhen)}</td>`)
    .join('');
  const runs = `${earlier.length} <code>${h(r.command)}</code> run${earlier.length === 1 ? '' : 's'}`;
  return `<h2>Trend <span class="dim">the last ${runs} of ${h(r.environment.name)}, and this one</span></h2>
<table><thead><tr><th>run</th><th>started</th><th>status</th>${cols.map((c) => `<th>${h(c.title)}</th>`).join('')}</tr></thead><tbody>${rows}
<tr><td><b>this run</b></td><td>${h(r.startedAt)}</td><td>${badge(r.status)}</td>${figures(now)}</tr>
<tr><td colspan="3">change since the last run</td>${changes}</tr>
</tbody></table>`;
}

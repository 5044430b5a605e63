// Console lines for a run: one line per check as it ends, then the verdicts and where the
// report is. Everything passes through the redactor on its way out.
import { headline } from './headline.ts';
import type { CheckResult, RunRecord } from '../record/schema.ts';
import type { ProgressFigures } from '../record/progress.ts';
import { formatMs } from '../core/duration.ts';

const mark = { passed: '✓', failed: '✗' } as const;
const vmark = { pass: '✓', fail: '✗', 'no-data': '?', error: '!' } as const;

export function checkLine(c: CheckResult): string {
  const t = formatMs(c.durationMs);
  return c.status === 'passed'
    ? `  ${mark.passed} ${c.suite} › ${c.name} (${t})`
    : `  ${mark.failed} ${c.suite} › ${c.name} — ${c.reason ?? 'failed'} (${t})`;
}

export function summaryLines(r: RunRecord, reportPath: string | undefined): string[] {
  const lines: string[] = [...loadSummaryLines(r)];
  for (const e of r.errors) lines.push(`error: ${e}`);
  if (r.verdicts.length) lines.push('', 'Verdicts:');
  for (const v of r.verdicts)
    lines.push(
      `  ${vmark[v.status]} ${v.status.padEnd(7)} ${v.id}: ${v.objective}${v.byDefault ? ' (default)' : ''}${v.observed ? ` — observed ${v.observed}` : ''}`,
    );
  lines.push('', `${r.status.toUpperCase()} (exit ${r.exitCode}) in ${formatMs(r.durationMs)} — ${headline(r)}`);
  if (reportPath) lines.push(`report: ${reportPath}`);
  return lines;
}

export function progressLine(p: ProgressFigures): string {
  const pct = Math.min(100, (p.elapsedMs / p.scheduledMs) * 100);
  const errPct = p.requests ? ((p.failed / p.requests) * 100).toFixed(2) : '0.00';
  return `  ${formatMs(p.elapsedMs).padStart(7)} / ${formatMs(p.scheduledMs)} (${pct.toFixed(0)}%)  ${String(p.rps).padStart(6)} req/s  p95 ${p.p95Ms === undefined ? '—' : formatMs(p.p95Ms)}  errors ${errPct}% (${p.failed})  vus ${p.vus}${p.dropped ? `  dropped ${p.dropped}` : ''}  requests ${p.requests}`;
}

export function loadSummaryLines(r: RunRecord): string[] {
  const l = r.load;
  if (!l) return [];
  const lat = l.all.latency;
  const lines = [
    '',
    `Load: ${l.profile} on ${l.engine} (${l.executor}, ${l.shards ? `${l.shards.length} shard${l.shards.length === 1 ? '' : 's'}` : `${l.workers} worker${l.workers === 1 ? '' : 's'}${l.generator?.core === 'native' ? ', native core' : ''}`}) — ${l.totals.requests} requests in ${formatMs(l.durationMs)}, ${(l.totals.requests / (l.durationMs / 1000)).toFixed(1)} req/s`,
    lat
      ? `  latency p50 ${formatMs(lat.p50Ms)}  p95 ${formatMs(lat.p95Ms)}  p99 ${formatMs(lat.p99Ms)}  max ${formatMs(lat.maxMs)}`
      : '  latency: no response was timed',
    `  failed ${l.totals.failed}${
      Object.keys(l.totals.errors).length
        ? ` (${Object.entries(l.totals.errors)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')})`
        : ''
    }${l.totals.droppedIterations ? `  dropped iterations ${l.totals.droppedIterations}` : ''}${l.totals.interruptedIterations ? `  interrupted ${l.totals.interruptedIterations}` : ''}`,
  ];
  if (l.littlesLaw && !l.littlesLaw.ok)
    lines.push(
      `  warning: Little's law does not hold (throughput × mean latency = ${l.littlesLaw.observed.toFixed(1)} vs ${l.littlesLaw.concurrency} VUs): treat these numbers with suspicion`,
    );
  if (l.stoppedEarly) lines.push(`  stopped early: ${l.stoppedEarly}`);
  return lines;
}

/** GitHub shows at most 10 error annotations per step; the rest would be dropped silently. */
const GITHUB_ANNOTATIONS = 10;

const ghData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const ghProperty = (s: string) => ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * GitHub Actions workflow commands: each verdict that does not pass as an `::error` annotation
 * (title: the verdict; message: what was observed against the objective), as many as GitHub
 * shows, and a notice saying how many more the report holds.
 */
export function githubAnnotations(r: RunRecord): string[] {
  // Why the harness could not finish comes first: it is the one a reader needs.
  const lines = r.errors
    .slice(0, 1)
    .map((e) => `::error title=${ghProperty(`Gauntlet ${r.command} could not finish`)}::${ghData(e)}`);
  const failing = r.verdicts.filter((v) => v.status !== 'pass');
  const room = GITHUB_ANNOTATIONS - lines.length;
  for (const v of failing.slice(0, room))
    lines.push(
      `::error title=${ghProperty(`Gauntlet ${r.command}: ${v.id} (${v.status})`)}::${ghData(
        `${v.observed ? `observed ${v.observed}` : (v.detail ?? v.status)} — objective ${v.objective}`,
      )}`,
    );
  if (failing.length > room)
    lines.push(`::notice::${ghData(`${failing.length - room} more failing verdicts are in the report`)}`);
  return lines;
}

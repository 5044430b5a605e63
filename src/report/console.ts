// Console lines for a run: one line per check as it ends, then the verdicts and where the
// report is. Everything passes through the redactor on its way out.
import type { CheckResult, RunRecord } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';

const mark = { passed: '✓', failed: '✗' } as const;
const vmark = { pass: '✓', fail: '✗', 'no-data': '?' } as const;

export function checkLine(c: CheckResult): string {
  const t = formatMs(c.durationMs);
  return c.status === 'passed'
    ? `  ${mark.passed} ${c.suite} › ${c.name} (${t})`
    : `  ${mark.failed} ${c.suite} › ${c.name} — ${c.reason ?? 'failed'} (${t})`;
}

export function summaryLines(r: RunRecord, reportPath: string | undefined): string[] {
  const lines: string[] = [];
  for (const e of r.errors) lines.push(`error: ${e}`);
  if (r.verdicts.length) lines.push('', 'Verdicts:');
  for (const v of r.verdicts) lines.push(`  ${vmark[v.status]} ${v.status.padEnd(7)} ${v.id}: ${v.objective}${v.observed ? ` — observed ${v.observed}` : ''}`);
  lines.push('', `${r.status.toUpperCase()} (exit ${r.exitCode}) in ${formatMs(r.durationMs)}`);
  if (reportPath) lines.push(`report: ${reportPath}`);
  return lines;
}

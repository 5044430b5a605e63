// The Markdown summary: what a reviewer reads in a PR or $GITHUB_STEP_SUMMARY.
import { failuresFirst, headline } from './headline.ts';
import type { RunRecord } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';
import { escapeMdCell as c } from './escape.ts';
import type { Reporter } from './reporter.ts';

const icon = { pass: '✅', fail: '❌', 'no-data': '⚠️', error: '💥' } as const;
const statusIcon = { passed: '✅', failed: '❌', error: '💥', aborted: '⏹️' } as const;

export const markdownReporter: Reporter = {
  name: 'markdown',
  render(record) {
    return [{ path: 'summary.md', content: renderMarkdown(record) }];
  },
};

export function renderMarkdown(r: RunRecord): string {
  const lines = [
    `## ${statusIcon[r.status]} Gauntlet ${c(r.command)}: ${r.status.toUpperCase()} on \`${c(r.environment.name)}\``,
    '',
    `Run \`${c(r.runId)}\` · ${c(r.startedAt)} · ${formatMs(r.durationMs)} · exit ${r.exitCode} · ${c(r.environment.baseUrl)}${r.environment.container ? ` · image \`${c(r.environment.container.image)}\` (${c(r.environment.container.repoDigests?.[0] ?? r.environment.container.imageId)})` : ''}`,
    '',
    `**${c(headline(r))}**`,
    '',
  ];
  if (r.errors.length) lines.push(...r.errors.map((e) => `> **Error:** ${c(e)}`), '');
  if (r.verdicts.length) {
    lines.push('| | Verdict | Objective | Observed |', '|---|---|---|---|');
    for (const v of failuresFirst(r.verdicts))
      lines.push(
        `| ${icon[v.status]} | ${c(v.id)} | ${c(v.objective)}${v.byDefault ? ' (default)' : ''} | ${c(v.observed ?? v.status)} |`,
      );
    lines.push('');
  }
  const failed = r.checks.filter((k) => k.status === 'failed');
  if (r.checks.length) {
    lines.push(`**Checks:** ${r.checks.length - failed.length}/${r.checks.length} passed`, '');
    if (failed.length) {
      lines.push('| Failed check | Reason |', '|---|---|');
      for (const k of failed) lines.push(`| ${c(`${k.suite} › ${k.name}`)} | ${c(k.reason ?? '')} |`);
      lines.push('');
    }
  }
  return `${lines.join('\n')}\n`;
}

// Writes a run's artifacts to <root>/<run-id>/, points <root>/latest at it, appends the
// Markdown summary to $GITHUB_STEP_SUMMARY. Reporters that throw are recorded, not fatal.
import { appendFileSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync, cpSync, lstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunRecord } from '../record/schema.ts';
import { describeError } from '../core/errors.ts';
import type { Artifact, Reporter } from './reporter.ts';
import { htmlReporter } from './html.ts';
import { junitReporter } from './junit.ts';
import { markdownReporter } from './markdown.ts';
import { k6SummaryReporter } from './k6-summary.ts';

export const defaultReporters: readonly Reporter[] = [htmlReporter, junitReporter, markdownReporter, k6SummaryReporter];
const STEP_SUMMARY_LIMIT = 1024 * 1024;

export interface Published {
  dir: string;
  files: string[];
  reporterErrors: string[];
}

export function renderAll(
  record: RunRecord,
  reporters: readonly Reporter[] = defaultReporters,
): { artifacts: Artifact[]; errors: string[] } {
  const artifacts: Artifact[] = [];
  const errors: string[] = [];
  for (const r of reporters) {
    try {
      artifacts.push(...r.render(record));
    } catch (err) {
      errors.push(`the ${r.name} reporter failed: ${describeError(err)}`);
    }
  }
  return { artifacts, errors };
}

export function publish(
  record: RunRecord,
  root: string,
  opts: { env?: Record<string, string | undefined>; reporters?: readonly Reporter[] } = {},
): Published {
  const dir = resolve(root, record.runId);
  mkdirSync(dir, { recursive: true });
  const { artifacts, errors } = renderAll(record, opts.reporters);
  const final: RunRecord = errors.length ? { ...record, errors: [...record.errors, ...errors] } : record;
  const files: string[] = [];
  for (const a of [{ path: 'run.json', content: `${JSON.stringify(final, null, 2)}\n` }, ...artifacts]) {
    const file = join(dir, a.path);
    writeFileSync(file, a.content);
    files.push(file);
  }
  pointLatest(resolve(root), record.runId);
  const summaryFile = opts.env?.GITHUB_STEP_SUMMARY;
  const md = artifacts.find((a) => a.path === 'summary.md');
  if (summaryFile && md) {
    const size = (() => {
      try {
        return statSync(summaryFile).size;
      } catch {
        return 0;
      }
    })();
    if (size + Buffer.byteLength(md.content) <= STEP_SUMMARY_LIMIT) appendFileSync(summaryFile, md.content);
    else
      errors.push("the Markdown summary was not appended to $GITHUB_STEP_SUMMARY: it would pass GitHub's 1 MiB limit");
  }
  return { dir, files, reporterErrors: errors };
}

/** reports/latest → the newest run; a symlink, or a copy where symlinks are not allowed. */
function pointLatest(root: string, runId: string): void {
  const latest = join(root, 'latest');
  try {
    lstatSync(latest);
    rmSync(latest, { recursive: true, force: true });
  } catch {
    /* no previous latest */
  }
  try {
    symlinkSync(runId, latest, 'dir');
  } catch {
    cpSync(join(root, runId), latest, { recursive: true });
  }
}

// Earlier run records in a reports root: what trends and "since the last run" compare against.
// A folder without a readable run.json (or one of another schema) is skipped, never an error.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunRecord } from './schema.ts';

/** Every earlier run in `root` that `keep` accepts, oldest first. */
export function earlierRecords(root: string, keep: (r: RunRecord) => boolean): RunRecord[] {
  let dirs: string[];
  try {
    dirs = readdirSync(root);
  } catch {
    return [];
  }
  const out: RunRecord[] = [];
  for (const d of dirs) {
    if (d === 'latest') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(root, d, 'run.json'), 'utf8'));
    } catch {
      continue;
    }
    const parsed = RunRecord.safeParse(raw);
    if (parsed.success && keep(parsed.data)) out.push(parsed.data);
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

// Earlier run records in a reports root: what trends and "since the last run" compare against.
// Read leniently — a record written by an earlier version still trends — but a folder without a
// readable run.json naming its run, command, status and environment is skipped, never an error.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { RunStatus, type RunRecord } from './schema.ts';

const Head = z
  .object({
    runId: z.string(),
    startedAt: z.string(),
    command: z.string(),
    status: RunStatus,
    environment: z.object({ name: z.string() }).passthrough(),
  })
  .passthrough();

/** An earlier run: its head is checked; the rest is as that version wrote it. */
export type EarlierRun = z.infer<typeof Head> & Partial<Pick<RunRecord, 'load' | 'capacity' | 'chaos' | 'drill'>>;

/** Every earlier run in `root` that `keep` accepts, oldest first. */
export function earlierRecords(root: string, keep: (r: EarlierRun) => boolean): EarlierRun[] {
  let dirs: string[];
  try {
    dirs = readdirSync(root);
  } catch {
    return [];
  }
  const out: EarlierRun[] = [];
  for (const d of dirs) {
    if (d === 'latest') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(root, d, 'run.json'), 'utf8'));
    } catch {
      continue;
    }
    const head = Head.safeParse(raw);
    if (head.success && keep(head.data as EarlierRun)) out.push(head.data as EarlierRun);
  }
  return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

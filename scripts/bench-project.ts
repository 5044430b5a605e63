// What every benchmark does with Gauntlet: a throwaway project (a config and a profile against a
// URL), `gauntlet load` on it as a user runs it, and the run record it wrote.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RunRecord } from '../src/record/schema.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');

/** Runs `gauntlet load p.yaml [...args]` on `profile` against `baseUrl`; exit 0 and 1 are results, anything else throws. */
export async function gauntletLoad(
  baseUrl: string,
  profile: string,
  environment = '',
  opts: { args?: string[]; config?: string } = {},
): Promise<{ code: number; record: RunRecord }> {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-bench-'));
  writeFileSync(
    join(dir, 'gauntlet.config.yaml'),
    `environments:\n  b: { baseUrl: "${baseUrl}"${environment} }\nsmoke: []\n${opts.config ?? ''}`,
  );
  writeFileSync(join(dir, 'p.yaml'), profile);
  const code = await run(process.execPath, [join(ROOT, 'bin/gauntlet.mjs'), 'load', 'p.yaml', ...(opts.args ?? [])], {
    cwd: dir,
    maxBuffer: 1 << 24,
  }).then(
    () => 0,
    (e: { code?: number }) => {
      if (e.code !== 1) throw e;
      return 1;
    },
  );
  const runDir = readdirSync(join(dir, 'reports')).find((d) => d !== 'latest')!;
  return { code, record: JSON.parse(readFileSync(join(dir, 'reports', runDir, 'run.json'), 'utf8')) as RunRecord };
}

// What every benchmark does with Gauntlet: a throwaway project (a config and a profile against a
// URL), `gauntlet load` on it as a user runs it, and the run record it wrote.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RunRecord } from '../src/record/schema.ts';
import { findK6 } from '../src/targets/local/k6.ts';

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

/** k6 at its fastest: a plain script, closed model, no output but its end-of-test summary. */
export async function plainK6(url: string, vus: number, seconds: number): Promise<{ rps: number; p95: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-bench-k6-'));
  writeFileSync(
    join(dir, 's.js'),
    `import http from 'k6/http';
export const options = { vus: ${vus}, duration: '${seconds}s', discardResponseBodies: true, summaryTrendStats: ['p(95)'] };
export default function () { http.get('${url}/'); }
export function handleSummary(d) { return { 'sum.json': JSON.stringify(d) }; }
`,
  );
  await run(findK6(process.env), ['run', '--quiet', '--no-usage-report', 's.js'], { cwd: dir, maxBuffer: 1 << 24 });
  const s = JSON.parse(readFileSync(join(dir, 'sum.json'), 'utf8')) as {
    metrics: Record<string, { values: Record<string, number> }>;
  };
  return { rps: s.metrics.http_reqs!.values.rate!, p95: s.metrics.http_req_duration!.values['p(95)']! };
}

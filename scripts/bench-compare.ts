// `npm run bench:compare`: the false-fail rate of `gauntlet compare` on identical runs. RUNS load
// runs of one profile (constant arrival rate, RATE/s for DURATION s) against a real local nginx,
// each through the CLI as a user runs it; then every ordered pair of them judged by compare's
// judge with the config's default limits. Identical runs should pass: the share that fails is the
// false-fail rate. Prints how many pairs pass overall and per metric row.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Config } from '../src/config/schema.ts';
import { RunRecord } from '../src/record/schema.ts';
import { judgeCompare } from '../src/slo/compare.ts';
import { startNginx } from '../test/fixtures/nginx.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.RUNS ?? 12);
const RATE = Number(process.env.RATE ?? 200);
const SECONDS = Number(process.env.DURATION ?? 10);

const dir = process.env.RECORDS ?? mkdtempSync(join(tmpdir(), 'gauntlet-bench-compare-'));
if (!process.env.RECORDS)
  writeFileSync(join(dir, 'gauntlet.config.yaml'), 'environments:\n  t: { baseUrl: "${env:TARGET}" }\nsmoke: []\n');
if (!process.env.RECORDS)
  writeFileSync(
    join(dir, 'p.yaml'),
    `name: p\nscenario: { executor: constant-arrival-rate, rate: ${RATE}, duration: ${SECONDS}s }\nrequests: [{ name: hello, path: / }]\n`,
  );
// The config's default limits; FLOOR_MS sets compare.latencyFloorMs.
const defaults = Config.parse({ environments: { t: { baseUrl: 'http://x' } } }).compare;
const limits = process.env.FLOOR_MS ? { ...defaults, latencyFloorMs: Number(process.env.FLOOR_MS) } : defaults;

const records: RunRecord[] = [];
const read = (out: string) => {
  const runDir = readdirSync(out).find((d) => d !== 'latest');
  return runDir ? RunRecord.parse(JSON.parse(readFileSync(join(out, runDir, 'run.json'), 'utf8'))) : undefined;
};
if (process.env.RECORDS) {
  // Judge the runs of an earlier bench again (its r0, r1, … folders), with the judge as it is now.
  for (const d of readdirSync(process.env.RECORDS).filter((x) => /^r\d+$/.test(x)))
    records.push(read(join(process.env.RECORDS, d))!);
} else {
  const ng = await startNginx();
  try {
    for (let i = 0; i < RUNS; i++) {
      const out = join(dir, `r${i}`);
      const run = spawnSync('node', [join(ROOT, 'bin/gauntlet.mjs'), 'load', 'p.yaml', '--out', out], {
        cwd: dir,
        env: { ...process.env, TARGET: ng.url },
        encoding: 'utf8',
      });
      const r = read(out);
      if (!r) throw new Error(`run ${i} wrote no record (exit ${run.status}): ${run.stdout}${run.stderr}`);
      records.push(r);
      const l = r.load!.all.latency!;
      console.log(
        `run ${i + 1}/${RUNS}: ${r.status}, ${r.load!.totals.requests} requests, p95 ${l.p95Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms, max ${l.maxMs.toFixed(1)} ms`,
      );
    }
  } finally {
    await ng.stop();
  }
  console.log(`records: ${dir}`);
}

const onSchedule = (r: RunRecord) => !r.verdicts.some((v) => v.kind === 'generator' && v.status !== 'pass');
console.log(`generator on schedule in ${records.filter(onSchedule).length} of ${RUNS} runs`);
let pairs = 0;
let passed = 0;
let cleanPairs = 0;
let cleanPassed = 0;
let regressions = 0;
const failedRows = new Map<string, number>();
for (let i = 0; i < records.length; i++)
  for (let j = 0; j < records.length; j++) {
    if (i === j) continue;
    const [a, b] = [records[i]!, records[j]!];
    const judged = judgeCompare(a, b, { limits });
    if (judged.refused) throw new Error(`runs ${i} and ${j} refused: ${judged.differences.join('; ')}`);
    pairs++;
    const bad = judged.verdicts.filter((v) => v.status !== 'pass');
    if (!bad.length) passed++;
    // A metric judged worse (fail), not a verdict that flipped nor a latency no one could measure.
    if (bad.some((v) => v.status === 'fail' && v.id !== 'compare verdicts')) regressions++;
    if (onSchedule(a) && onSchedule(b)) {
      cleanPairs++;
      if (!bad.length) cleanPassed++;
    }
    for (const v of bad) {
      failedRows.set(`${v.id} (${v.status})`, (failedRows.get(`${v.id} (${v.status})`) ?? 0) + 1);
      if (process.env.VERBOSE)
        console.log(`  ${i} → ${j}: ${v.id} ${v.status} ${v.observed ?? ''} — ${v.detail ?? v.objective}`);
    }
  }
const share = (n: number, of: number) => `${n} of ${of} (${of ? ((n / of) * 100).toFixed(1) : '—'}%)`;
console.log(
  `\n${records.length} identical runs (${RATE}/s for ${SECONDS} s, nginx), ${pairs} ordered pairs compared:` +
    `\n  passed (every compare verdict): ${share(passed, pairs)}` +
    `\n  a metric judged worse (a false regression): ${share(regressions, pairs)}` +
    `\n  pairs whose generators were both on schedule: ${cleanPairs}; of them passed: ${share(cleanPassed, cleanPairs)}`,
);
for (const [id, n] of [...failedRows].sort((a, b) => b[1] - a[1])) console.log(`  ${id}: ${n} of ${pairs}`);

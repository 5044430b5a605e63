// `npm run bench:k6`: the embedded engine against k6 on the same nginx, the same 50 connections
// (closed model, 50 VUs), interleaved repetitions, medians. Three ways: Gauntlet's embedded
// engine, Gauntlet's k6 engine (k6 writing every sample as JSON for exact histograms), and a plain
// k6 script with no output (k6 at its fastest). Prints Markdown for BENCHMARKS.md.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startNginx } from '../test/fixtures/nginx.ts';
import { plainK6 } from './bench-project.ts';
import type { LoadResult } from '../src/record/schema.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const VUS = 50;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function gauntlet(url: string, engine: 'embedded' | 'k6'): Promise<{ rps: number; p95: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-bench-'));
  writeFileSync(join(dir, 'gauntlet.config.yaml'), `environments:\n  b: { baseUrl: "${url}" }\nsmoke: []\n`);
  writeFileSync(
    join(dir, 'p.yaml'),
    `name: bench\nscenario: { executor: constant-vus, vus: ${VUS}, duration: ${SECONDS}s }\ngracefulStop: 2s\nworkers: 1\nrequests: [{ name: root, path: / }]\n`,
  );
  await run(process.execPath, [join(ROOT, 'bin/gauntlet.mjs'), 'load', 'p.yaml', '--engine', engine], {
    cwd: dir,
    maxBuffer: 1 << 24,
  });
  const runDir = readdirSync(join(dir, 'reports')).find((d) => d !== 'latest')!;
  const load = (JSON.parse(readFileSync(join(dir, 'reports', runDir, 'run.json'), 'utf8')) as { load: LoadResult })
    .load;
  return { rps: load.totals.requests / (load.durationMs / 1000), p95: load.all.latency!.p95Ms };
}

const ng = await startNginx({ keepaliveRequests: 0 });
try {
  const r = {
    e: [] as { rps: number; p95: number }[],
    g: [] as { rps: number; p95: number }[],
    k: [] as { rps: number; p95: number }[],
  };
  for (let i = 0; i < REPS; i++) {
    r.e.push(await gauntlet(ng.url, 'embedded'));
    r.g.push(await gauntlet(ng.url, 'k6'));
    r.k.push(await plainK6(ng.url, VUS, SECONDS));
  }
  const m = (xs: { rps: number; p95: number }[]) => ({
    rps: median(xs.map((x) => x.rps)),
    p95: median(xs.map((x) => x.p95)),
  });
  const [e, g, k] = [m(r.e), m(r.g), m(r.k)];
  console.log(`| engine (${VUS} VUs, ${SECONDS} s, nginx, medians of ${REPS}) | req/s | p95 | embedded / this |`);
  console.log('|---|---|---|---|');
  console.log(`| Gauntlet embedded (1 worker) | ${e.rps.toFixed(0)} | ${e.p95.toFixed(2)} ms | 1.00 |`);
  console.log(
    `| Gauntlet on k6 (every sample as JSON) | ${g.rps.toFixed(0)} | ${g.p95.toFixed(2)} ms | ${(e.rps / g.rps).toFixed(2)} |`,
  );
  console.log(
    `| plain k6 (no output) | ${k.rps.toFixed(0)} | ${k.p95.toFixed(2)} ms | ${(e.rps / k.rps).toFixed(2)} |`,
  );
} finally {
  await ng.stop();
}

// `npm run bench:tls`: the embedded engine against wrk over https on the same nginx (TLS, one
// worker), closed model, 50 connections, one generator thread each, interleaved rounds; medians.
// A self-signed certificate made here with openssl; Gauntlet gets insecureSkipVerify. Reported,
// not asserted: paste the Markdown into BENCHMARKS.md.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startNginx } from '../test/fixtures/nginx.ts';
import type { LoadResult } from '../src/record/schema.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const pki = mkdtempSync(join(tmpdir(), 'gauntlet-bench-tls-'));
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(pki, 'key.pem'),
    '-out',
    join(pki, 'cert.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ],
  { stdio: 'ignore' },
);
const nginx = await startNginx({ tls: { cert: join(pki, 'cert.pem'), key: join(pki, 'key.pem') } });

async function wrk(): Promise<number> {
  const { stdout } = await run('wrk', ['-t1', '-c50', `-d${SECONDS}s`, `${nginx.url}/`]);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)![1]);
}

async function gauntlet(): Promise<{ rps: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-bench-'));
  writeFileSync(
    join(dir, 'gauntlet.config.yaml'),
    `environments:\n  b: { baseUrl: "${nginx.url}", tls: { insecureSkipVerify: true } }\nsmoke: []\n`,
  );
  writeFileSync(
    join(dir, 'p.yaml'),
    `name: tls\nscenario: { executor: constant-vus, vus: 50, duration: ${SECONDS}s }\ngracefulStop: 2s\nworkers: 1\nrequests: [{ name: root, path: / }]\n`,
  );
  await run(process.execPath, [join(ROOT, 'bin/gauntlet.mjs'), 'load', 'p.yaml'], {
    cwd: dir,
    maxBuffer: 1 << 24,
  }).catch((e: { code?: number }) => {
    if (e.code !== 1) throw e;
  });
  const runDir = readdirSync(join(dir, 'reports')).find((d) => d !== 'latest')!;
  const load = (JSON.parse(readFileSync(join(dir, 'reports', runDir, 'run.json'), 'utf8')) as { load: LoadResult })
    .load;
  return { rps: load.totals.requests / (load.durationMs / 1000), p99: load.all.latency!.p99Ms };
}

try {
  const w: number[] = [];
  const g: number[] = [];
  for (let i = 0; i < REPS; i++) {
    w.push(await wrk());
    g.push((await gauntlet()).rps);
  }
  console.log(`| tool | req/s per round | median |\n|---|---|---|`);
  console.log(`| wrk -t1 -c50 (https) | ${w.map((x) => x.toFixed(0)).join(', ')} | ${median(w).toFixed(0)} |`);
  console.log(
    `| Gauntlet, 1 worker, 50 VUs (https) | ${g.map((x) => x.toFixed(0)).join(', ')} | ${median(g).toFixed(0)} |`,
  );
  console.log(`\nGauntlet / wrk: ${(median(g) / median(w)).toFixed(2)}×`);
} finally {
  await nginx.stop();
}

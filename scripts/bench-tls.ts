// `npm run bench:tls`: the embedded engine against wrk over https on the same nginx (TLS, one
// worker), closed model, 50 connections, one generator thread each, interleaved rounds; medians.
// A self-signed certificate made here with openssl; Gauntlet gets insecureSkipVerify. Reported,
// not asserted: paste the Markdown into BENCHMARKS.md.
import { execFile, execFileSync } from 'node:child_process';
import { gauntletLoad } from './bench-project.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startNginx } from '../test/fixtures/nginx.ts';

const run = promisify(execFile);
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

async function gauntlet(core: 'native' | 'js'): Promise<{ rps: number; p99: number }> {
  process.env.GAUNTLET_CORE = core;
  const { record } = await gauntletLoad(
    nginx.url,
    `name: tls\nscenario: { executor: constant-vus, vus: 50, duration: ${SECONDS}s }\ngracefulStop: 2s\nworkers: 1\nrequests: [{ name: root, path: / }]\n`,
    ', tls: { insecureSkipVerify: true }',
  );
  const load = record.load!;
  return { rps: load.totals.requests / (load.durationMs / 1000), p99: load.all.latency!.p99Ms };
}

try {
  const w: number[] = [];
  const g: number[] = [];
  const j: number[] = [];
  for (let i = 0; i < REPS; i++) {
    w.push(await wrk());
    g.push((await gauntlet('native')).rps);
    j.push((await gauntlet('js')).rps);
  }
  const row = (name: string, xs: number[]) =>
    console.log(`| ${name} | ${xs.map((x) => x.toFixed(0)).join(', ')} | ${median(xs).toFixed(0)} |`);
  console.log(`| tool | req/s per round | median |\n|---|---|---|`);
  row('wrk -t1 -c50 (https)', w);
  row('Gauntlet, native core (rustls), 1 worker, 50 VUs', g);
  row('Gauntlet, JS worker (node:tls), 1 worker, 50 VUs', j);
  console.log(
    `\nnative / wrk: ${(median(g) / median(w)).toFixed(2)}×, JS / wrk: ${(median(j) / median(w)).toFixed(2)}×`,
  );
} finally {
  await nginx.stop();
}

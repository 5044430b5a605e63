// The data tier against its own tools (`npm run bench:data`), interleaved rounds on one machine:
// - closed model, highest rate, 8 connections: Gauntlet's `SELECT 1` and primary-key lookup vs
//   `pgbench -S -M prepared -c 8 -j 1`, and Redis GET vs `redis-benchmark -c 8 -t get`;
// - open model at a fixed 500/s: Gauntlet's latency percentiles vs pgbench's own (`-R 500 --log`,
//   percentiles computed from every transaction in its log).
// Gauntlet runs with 1 worker thread, as pgbench runs with 1 thread (-j 1).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pgBinDir, startPostgres } from '../src/targets/local/postgres.ts';
import { startRedis } from '../src/targets/local/redis.ts';
import { gauntletLoad } from './bench-project.ts';

const run = promisify(execFile);
// ROUNDS=0 runs the fixed-rate comparison alone.
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const pg = await startPostgres();
const redis = await startRedis();
const pgbench = join(await pgBinDir(), 'pgbench');
const env = { ...process.env, PGPASSWORD: new URL(pg.url).password };
const conn = (() => {
  const u = new URL(pg.url);
  return ['-h', u.hostname, '-p', u.port, '-U', decodeURIComponent(u.username), u.pathname.slice(1)];
})();
/**
 * WIRE=1: the fixed-rate runs are also timed on the wire (tcpdump on loopback): each query packet
 * to its answer's first packet, per connection — what a client with no overhead of its own would
 * measure, the reference both tools' figures sit above.
 */
async function onTheWire<T>(port: string, during: () => Promise<T>): Promise<{ result: T; ms: number[] }> {
  if (!process.env.WIRE) return { result: await during(), ms: [] };
  const dump = spawn('tcpdump', ['-i', 'lo', '-n', '-tt', '-q', '-l', `tcp port ${port}`], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  dump.stdout.setEncoding('utf8').on('data', (d: string) => void (out += d));
  await new Promise((r) => setTimeout(r, 1000));
  const result = await during();
  await new Promise((r) => setTimeout(r, 500));
  dump.kill('SIGINT');
  await new Promise((r) => dump.on('close', r));
  const pending = new Map<string, number>();
  const ms: number[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\d+\.\d+) IP [\d.]+\.(\d+) > [\d.]+\.(\d+): tcp (\d+)/.exec(line);
    if (!m || m[4] === '0') continue;
    const [t, from, to] = [Number(m[1]), m[2]!, m[3]!];
    if (to === port && !pending.has(from)) pending.set(from, t);
    else if (from === port && pending.has(to)) {
      ms.push((t - pending.get(to)!) * 1000);
      pending.delete(to);
    }
  }
  return { result, ms: ms.sort((a, b) => a - b) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

try {
  await run(pgbench, ['-i', '-s', '1', '-q', ...conn], { env });
  const dataEnv = `, postgres: { url: "\${env:BENCH_PG}" }, redis: { url: "\${env:BENCH_REDIS}" }`;
  process.env.BENCH_PG = pg.url;
  process.env.BENCH_REDIS = redis.url;
  const closed = (request: string) =>
    `name: b\nworkers: 1\nscenario: { executor: constant-vus, vus: 8, duration: 5s }\nrequests: [${request}]\n`;
  const select1 = join(mkdtempSync(join(tmpdir(), 'pgbench-')), 'select1.sql');
  writeFileSync(select1, 'select 1;\n');
  const rows: Record<string, number[]> = {};
  const add = (k: string, v: number) => (rows[k] ??= []).push(v);
  const tps = (out: string) => Number(/tps = ([\d.]+)/.exec(out)![1]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, sql] of [
      ['SELECT 1', 'select 1'],
      ['primary-key lookup', 'select abalance from pgbench_accounts where aid = $1'],
    ] as const) {
      const params = sql.includes('$1') ? ', params: [4242]' : '';
      const { record } = await gauntletLoad(
        'http://127.0.0.1:1',
        closed(`{ name: q, kind: postgres, sql: "${sql}"${params} }`),
        dataEnv,
      );
      const l = record.load!;
      add(`gauntlet ${label}`, l.totals.requests / (l.durationMs / 1000));
      // pgbench's own script for the same statement (-S is the lookup with a random aid).
      const args = label === 'SELECT 1' ? ['-f', select1] : ['-S'];
      const out = (
        await run(pgbench, ['-n', '-M', 'prepared', '-c', '8', '-j', '1', '-T', '5', ...args, ...conn], { env })
      ).stdout;
      add(`pgbench ${label}`, tps(out));
    }
    const { record } = await gauntletLoad(
      'http://127.0.0.1:1',
      closed(`{ name: g, kind: redis, command: [GET, k] }`),
      dataEnv,
    );
    add('gauntlet redis GET', record.load!.totals.requests / (record.load!.durationMs / 1000));
    const u = new URL(redis.url);
    const rb = await run(
      'redis-benchmark',
      [
        '-h',
        u.hostname,
        '-p',
        u.port,
        '-a',
        decodeURIComponent(u.password),
        '-c',
        '8',
        '-n',
        '100000',
        '-t',
        'get',
        '--csv',
      ],
      { env },
    );
    add('redis-benchmark GET', Number(/"GET","([\d.]+)"/.exec(rb.stdout)![1]));
    console.log(
      `round ${round + 1}: ${Object.entries(rows)
        .map(([k, v]) => `${k} ${Math.round(v.at(-1)!)}`)
        .join(', ')}`,
    );
  }

  // Fixed rate: latency distributions side by side.
  const dir = mkdtempSync(join(tmpdir(), 'pgbench-log-'));
  const pgPort = new URL(pg.url).port;
  const lookup = join(mkdtempSync(join(tmpdir(), 'pgbench-')), 'lookup.sql');
  writeFileSync(lookup, 'select abalance from pgbench_accounts where aid = 4242;\n');
  const pgbenchWire = await onTheWire(pgPort, () =>
    run(
      pgbench,
      [
        '-n',
        '-M',
        'prepared',
        // The statement Gauntlet sends, on the same row (-S would draw a random one).
        '-f',
        lookup,
        '-c',
        '8',
        '-j',
        '1',
        '-R',
        '500',
        '-T',
        '10',
        '--log',
        `--log-prefix=${join(dir, 'l')}`,
        ...conn,
      ],
      { env },
    ),
  );
  // Each log line: client, transaction, time (µs, from the actual start), script, epoch s, µs,
  // schedule lag (µs, actual start − scheduled start). pgbench's own summary latency under -R is
  // time + lag, measured from the scheduled start — as Gauntlet's open model times from the
  // intended send; both are shown.
  const lines = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'));
  const field = (line: string, i: number) => Number(line.split(' ')[i]) / 1000;
  const times = lines.map((l) => field(l, 2)).sort((a, b) => a - b);
  const fromSchedule = lines.map((l) => field(l, 2) + field(l, 6)).sort((a, b) => a - b);
  const lags = lines.map((l) => field(l, 6)).sort((a, b) => a - b);
  const {
    result: { record },
    ms: gauntletWire,
  } = await onTheWire(pgPort, () =>
    gauntletLoad(
      'http://127.0.0.1:1',
      `name: b\nworkers: 1\nscenario: { executor: constant-arrival-rate, rate: 500, duration: 10s, preAllocatedVUs: 8, maxVUs: 8 }\nrequests: [{ name: q, kind: postgres, sql: "select abalance from pgbench_accounts where aid = $1", params: [4242] }]\n`,
      dataEnv,
    ),
  );
  const g = record.load!.all.latency!;
  const gLag = record.load!.generator?.lag?.latency;

  if (ROUNDS) console.log(`\n| closed model, 8 connections, 5 s | median of ${ROUNDS} rounds |`);
  if (ROUNDS) console.log('|---|---|');
  for (const [k, v] of Object.entries(rows)) console.log(`| ${k} | ${Math.round(median(v))} /s |`);
  if (ROUNDS)
    console.log(
      `\nratios: SELECT 1 ${(median(rows['gauntlet SELECT 1']!) / median(rows['pgbench SELECT 1']!)).toFixed(2)}×, lookup ${(median(rows['gauntlet primary-key lookup']!) / median(rows['pgbench primary-key lookup']!)).toFixed(2)}×, redis GET ${(median(rows['gauntlet redis GET']!) / median(rows['redis-benchmark GET']!)).toFixed(2)}×`,
    );
  console.log('\n| 500/s for 10 s, lookup | p50 | p95 | p99 | max | samples |');
  console.log('|---|---|---|---|---|---|');
  const line = (label: string, xs: number[]) =>
    `| ${label} | ${[50, 95, 99].map((p) => pct(xs, p).toFixed(3)).join(' ms | ')} ms | ${xs.at(-1)!.toFixed(3)} ms | ${xs.length} |`;
  console.log(line('pgbench -R 500 --log, time from the actual start', times));
  console.log(line('pgbench, time + schedule lag (from the scheduled start)', fromSchedule));
  console.log(line('pgbench schedule lag alone', lags));
  console.log(
    `| gauntlet (from the intended send) | ${g.p50Ms.toFixed(3)} ms | ${g.p95Ms.toFixed(3)} ms | ${g.p99Ms.toFixed(3)} ms | ${g.maxMs.toFixed(3)} ms | ${g.count} |`,
  );
  if (gLag)
    console.log(
      `| gauntlet send lag alone | ${gLag.p50Ms.toFixed(3)} ms | ${gLag.p95Ms.toFixed(3)} ms | ${gLag.p99Ms.toFixed(3)} ms | ${gLag.maxMs.toFixed(3)} ms | ${gLag.count} |`,
    );
  if (pgbenchWire.ms.length) console.log(line('on the wire, during pgbench (query packet → answer)', pgbenchWire.ms));
  if (gauntletWire.length) console.log(line('on the wire, during gauntlet (query packet → answer)', gauntletWire));
  console.log(`\ngauntlet core: ${record.load!.generator?.core ?? '—'}`);
} finally {
  await Promise.all([pg.stop(), redis.stop()]);
}

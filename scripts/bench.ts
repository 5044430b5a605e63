// `npm run bench`: Gauntlet's embedded engine against wrk and the autocannon CLI, all in one
// run on loopback. Throughput (nginx, default and unlimited keep-alive), accuracy against
// servers whose latency is known (server-side HDR histograms, or the schedule itself), medians
// of interleaved repetitions. Prints Markdown for BENCHMARKS.md. Targets are reported, not asserted.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startNginx } from '../test/fixtures/nginx.ts';
import { gauntletLoad, plainK6 } from './bench-project.ts';
import { newHistogram } from '../src/measure/histogram.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNS = 50;
// One generator thread, like wrk -t1: on a 2-core machine the target needs the other core.
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f1 = (x: number | undefined) =>
  x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3);

interface Measure {
  rps: number;
  p50?: number | undefined;
  p90?: number | undefined;
  p95?: number | undefined;
  p99?: number | undefined;
  mean?: number | undefined;
}

/** Gauntlet's embedded engine on one core: the native load core (the default) or JavaScript workers. */
async function gauntlet(url: string, scenario: string, core: 'native' | 'js' = 'native'): Promise<Measure> {
  process.env.GAUNTLET_CORE = core;
  const { record } = await gauntletLoad(
    url,
    `name: bench\nscenario: ${scenario}\ngracefulStop: 2s\nworkers: ${WORKERS}\nrequests: [{ name: root, path: / }]\n`,
  );
  const load = record.load!;
  const l = load.all.latency!;
  return {
    rps: load.totals.requests / (load.durationMs / 1000),
    p50: l.p50Ms,
    p90: l.p90Ms,
    p95: l.p95Ms,
    p99: l.p99Ms,
    mean: l.meanMs,
  };
}

async function wrk(url: string): Promise<Measure> {
  const { stdout } = await run('wrk', ['-t1', `-c${CONNS}`, `-d${SECONDS}s`, '--latency', `${url}/`]);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)![1]);
  const pct = (p: string) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    if (!m) return undefined;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const mean = /Latency\s+([\d.]+)(us|ms|s)/.exec(stdout);
  return {
    rps,
    p50: pct('50'),
    p90: pct('90'),
    p99: pct('99'),
    mean: mean ? Number(mean[1]) * (mean[2] === 'us' ? 0.001 : mean[2] === 's' ? 1000 : 1) : undefined,
  };
}

async function autocannon(url: string, extra: string[] = [], seconds = SECONDS): Promise<Measure> {
  const { stdout } = await run(
    process.execPath,
    [
      join(ROOT, 'node_modules/autocannon/autocannon.js'),
      '-j',
      '-c',
      String(CONNS),
      '-d',
      String(seconds),
      ...extra,
      `${url}/`,
    ],
    { maxBuffer: 1 << 24 },
  );
  const r = JSON.parse(stdout) as {
    requests: { total: number };
    duration: number;
    latency: { p50: number; p90: number; p99: number; mean: number };
  };
  return {
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    mean: r.latency.mean,
  };
}

/** A server that answers after delayMs and records its own service times: the truth. */
async function truthServer(delayMs: number) {
  const hist = newHistogram();
  const s = createServer((_req, res) => {
    const t0 = performance.now();
    setTimeout(() => {
      res.writeHead(200, { 'content-length': '2' });
      res.end('ok', () => hist.recordValue(Math.round((performance.now() - t0) * 1000)));
    }, delayMs);
  });
  s.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    hist,
    close: () => {
      s.closeAllConnections();
      s.close();
    },
  };
}

/** Stalls every response for stallMs of each periodMs (anchored at the first request). */
async function stallServer(periodMs: number, stallMs: number) {
  let origin: number | undefined;
  const s = createServer((_req, res) => {
    const now = performance.now();
    origin ??= now;
    const phase = (now - origin) % periodMs;
    const wait = phase >= periodMs - stallMs ? periodMs - phase : 0;
    const answer = () => res.writeHead(200, { 'content-length': '2' }).end('ok');
    if (wait > 0) setTimeout(answer, wait);
    else answer();
  });
  s.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () => {
      s.closeAllConnections();
      s.close();
    },
    reset: () => (origin = undefined),
  };
}

/** What a client sending on a fixed schedule and timing from the scheduled start sees. */
function stallTruth(rate: number, seconds: number, periodMs: number, stallMs: number) {
  const h = newHistogram();
  for (let j = 0; j < rate * seconds; j++) {
    const phase = ((j * 1000) / rate) % periodMs;
    const wait = phase >= periodMs - stallMs ? periodMs - phase : 0;
    h.recordValue(Math.max(1, Math.round(wait * 1000)));
  }
  return h;
}

const out: string[] = [];
const say = (line = '') => {
  out.push(line);
  console.log(line);
};

say(
  `## Run ${new Date().toISOString()} — ${REPS} interleaved repetitions of ${SECONDS} s, ${CONNS} connections, medians`,
);
say();
say('### Throughput against nginx (requests/s)');
say();
say(
  '| nginx keep-alive | Gauntlet, native core | Gauntlet, JS worker | wrk -t1 | autocannon | autocannon -w 2 | k6 | native / wrk | native / autocannon | native / k6 | JS / wrk |',
);
say('|---|---|---|---|---|---|---|---|---|---|---|');
for (const keepalive of [undefined, 100_000_000]) {
  const ng = await startNginx(keepalive ? { keepaliveRequests: keepalive } : {});
  const res: Record<string, Measure[]> = { g: [], j: [], w: [], a: [], a2: [], k: [] };
  const closed = `{ executor: constant-vus, vus: ${CONNS}, duration: ${SECONDS}s }`;
  try {
    for (let i = 0; i < REPS; i++) {
      res.g!.push(await gauntlet(ng.url, closed));
      res.j!.push(await gauntlet(ng.url, closed, 'js'));
      res.w!.push(await wrk(ng.url));
      res.a!.push(await autocannon(ng.url));
      res.a2!.push(await autocannon(ng.url, ['-w', '2']));
      res.k!.push(await plainK6(ng.url, CONNS, SECONDS));
    }
  } finally {
    await ng.stop();
  }
  const m = (k: string) => median(res[k]!.map((x) => x.rps));
  const x = (a: string, b: string) => `${(m(a) / m(b)).toFixed(2)}×`;
  say(
    `| ${keepalive ? 'keepalive_requests 100000000' : 'default (1000)'} | ${['g', 'j', 'w', 'a', 'a2', 'k'].map((k) => m(k).toFixed(0)).join(' | ')} | ${x('g', 'w')} | ${(m('g') / Math.max(m('a'), m('a2'))).toFixed(2)}× | ${x('g', 'k')} | ${x('j', 'w')} |`,
  );
  say(
    `  per round: ${Object.entries(res)
      .map(([k, v]) => `${k} ${v.map((r) => r.rps.toFixed(0)).join('/')}`)
      .join(', ')}`,
  );
  if (!keepalive) {
    const lat = (k: string) => res[k]![Math.floor(REPS / 2)]!;
    say();
    say(`Latency at that load, default nginx (ms, one middle run each; Little's law mean = ${CONNS} / throughput):`);
    say();
    say("| tool | mean | Little's law mean | p50 | p90 | p99 |");
    say('|---|---|---|---|---|---|');
    for (const [k, name] of [
      ['g', 'gauntlet (native)'],
      ['j', 'gauntlet (JS)'],
      ['w', 'wrk'],
      ['a', 'autocannon'],
    ] as const) {
      const x = lat(k);
      say(`| ${name} | ${f1(x.mean)} | ${f1((CONNS / x.rps) * 1000)} | ${f1(x.p50)} | ${f1(x.p90)} | ${f1(x.p99)} |`);
    }
    say();
  }
}
say();

say('### Accuracy against a server with a fixed 20 ms delay (closed model, 50 connections)');
say();
say("Truth: the server's own HDR histogram of its service times (request in → response written).");
say();
{
  const srv = await truthServer(20);
  try {
    const truthNow = () => ({
      p50: srv.hist.getValueAtPercentile(50) / 1000,
      p90: srv.hist.getValueAtPercentile(90) / 1000,
      p99: srv.hist.getValueAtPercentile(99) / 1000,
    });
    const g = await gauntlet(srv.url, `{ executor: constant-vus, vus: ${CONNS}, duration: ${SECONDS}s }`);
    const truth = truthNow();
    srv.hist.reset();
    const j = await gauntlet(srv.url, `{ executor: constant-vus, vus: ${CONNS}, duration: ${SECONDS}s }`, 'js');
    const jt = truthNow();
    srv.hist.reset();
    const w = await wrk(srv.url);
    const wt = { p50: srv.hist.getValueAtPercentile(50) / 1000, p99: srv.hist.getValueAtPercentile(99) / 1000 };
    srv.hist.reset();
    const a = await autocannon(srv.url);
    const at = { p50: srv.hist.getValueAtPercentile(50) / 1000, p99: srv.hist.getValueAtPercentile(99) / 1000 };
    say('| tool | p50 | truth p50 | p90 | truth p90 | p99 | truth p99 |');
    say('|---|---|---|---|---|---|---|');
    say(
      `| gauntlet (native) | ${f1(g.p50)} | ${f1(truth.p50)} | ${f1(g.p90)} | ${f1(truth.p90)} | ${f1(g.p99)} | ${f1(truth.p99)} |`,
    );
    say(
      `| gauntlet (JS) | ${f1(j.p50)} | ${f1(jt.p50)} | ${f1(j.p90)} | ${f1(jt.p90)} | ${f1(j.p99)} | ${f1(jt.p99)} |`,
    );
    say(`| wrk | ${f1(w.p50)} | ${f1(wt.p50)} | ${f1(w.p90)} | — | ${f1(w.p99)} | ${f1(wt.p99)} |`);
    say(`| autocannon | ${f1(a.p50)} | ${f1(at.p50)} | ${f1(a.p90)} | — | ${f1(a.p99)} | ${f1(at.p99)} |`);
  } finally {
    srv.close();
  }
}
say();

const RATE = 200;
const STALL_SECONDS = Math.max(10, SECONDS * 2);
say(
  `### Accuracy against a server that stalls 1 s of every 5 s, at a fixed ${RATE} req/s for ${STALL_SECONDS} s (open model)`,
);
say();
say(
  'Truth: what a client sending on the fixed schedule and timing from the scheduled start sees (computed from the schedule). wrk has no fixed-rate mode (wrk2 is not packaged); autocannon -R is its rate mode.',
);
say();
{
  const truth = stallTruth(RATE, STALL_SECONDS, 5000, 1000);
  const t = (p: number) => truth.getValueAtPercentile(p) / 1000;
  const srv = await stallServer(5000, 1000);
  try {
    const g = await gauntlet(
      srv.url,
      `{ executor: constant-arrival-rate, rate: ${RATE}, duration: ${STALL_SECONDS}s, preAllocatedVUs: 50, maxVUs: 400 }`,
    );
    srv.reset();
    const j = await gauntlet(
      srv.url,
      `{ executor: constant-arrival-rate, rate: ${RATE}, duration: ${STALL_SECONDS}s, preAllocatedVUs: 50, maxVUs: 400 }`,
      'js',
    );
    srv.reset();
    const a = await autocannon(srv.url, ['-R', String(RATE)], STALL_SECONDS);
    say('| | p50 | p90 | p95 | p99 |');
    say('|---|---|---|---|---|');
    say(`| truth | ${f1(t(50))} | ${f1(t(90))} | ${f1(t(95))} | ${f1(t(99))} |`);
    say(`| gauntlet (native) | ${f1(g.p50)} | ${f1(g.p90)} | ${f1(g.p95)} | ${f1(g.p99)} |`);
    say(`| gauntlet (JS) | ${f1(j.p50)} | ${f1(j.p90)} | ${f1(j.p95)} | ${f1(j.p99)} |`);
    say(`| autocannon -R | ${f1(a.p50)} | ${f1(a.p90)} | — | ${f1(a.p99)} |`);
    say();
    say(
      `p99 vs truth: native ${(((g.p99! - t(99)) / t(99)) * 100).toFixed(1)}%, JS ${(((j.p99! - t(99)) / t(99)) * 100).toFixed(1)}%`,
    );
  } finally {
    srv.close();
  }
}
say();
writeFileSync(join(ROOT, 'reports', `bench-${Date.now()}.md`), `${out.join('\n')}\n`);

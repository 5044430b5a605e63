// `npm run bench:memory`: resident memory of a `gauntlet load` process (worker threads, and the
// native load core's processes, included)
// after 1 and after 10 minutes of closed-model load against nginx: bounded by histograms, not
// sample arrays.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startNginx } from '../test/fixtures/nginx.ts';
import { sleep } from '../src/core/sleep.ts';

const ROOT = resolve(import.meta.dirname, '..');
const MINUTES = Number(process.env.BENCH_MINUTES ?? 10);
const ng = await startNginx({ keepaliveRequests: 100_000_000 });
const dir = mkdtempSync(join(tmpdir(), 'gauntlet-mem-'));
writeFileSync(join(dir, 'gauntlet.config.yaml'), `environments:\n  b: { baseUrl: "${ng.url}" }\nsmoke: []\n`);
writeFileSync(
  join(dir, 'p.yaml'),
  `name: soak\nscenario: { executor: constant-vus, vus: 50, duration: ${MINUTES}m }\nrequests: [{ name: root, path: / }]\n`,
);
const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
/** The native load core runs as child processes of the gauntlet process. */
const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const child = spawn(process.execPath, [join(ROOT, 'bin/gauntlet.mjs'), 'load', 'p.yaml'], {
  cwd: dir,
  stdio: 'ignore',
});
const samples: string[] = [];
const at = async (minute: number) => {
  await sleep(minute * 60_000 - (Date.now() - started));
  const cores = childrenOf(child.pid!).map(rssMiB);
  samples.push(
    `| ${minute} min | ${rssMiB(child.pid!).toFixed(0)} MiB | ${cores.map((x) => `${x.toFixed(1)} MiB`).join(', ') || '—'} |`,
  );
  console.log(samples[samples.length - 1]);
};
const started = Date.now();
console.log('| after | RSS of the gauntlet process (its threads) | RSS of each native core process |\n|---|---|---|');
for (const m of [1, 2, 5, MINUTES].filter((m, i, a) => m <= MINUTES && a.indexOf(m) === i)) await at(m);
await new Promise((r) => child.on('close', r));
const run = JSON.parse(readFileSync(join(dir, 'reports', 'latest', 'run.json'), 'utf8')) as {
  load: { totals: { requests: number } };
};
console.log(`\n${run.load.totals.requests} requests in ${MINUTES} min`);
await ng.stop();

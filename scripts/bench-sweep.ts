// `npm run bench:sweep`: the open model against nginx on loopback at rising rates (default 500 →
// 8 000 req/s, 2 workers, 5 s each): offered vs achieved, latency, dropped arrivals, the send lag
// p99 and the generator verdict. Prints Markdown for BENCHMARKS.md. Reported, not asserted.
import { startNginx } from '../test/fixtures/nginx.ts';
import { gauntletLoad } from './bench-project.ts';

const RATES = (process.env.SWEEP_RATES ?? '500,1000,2000,4000,8000,16000').split(',').map(Number);
const SECONDS = Number(process.env.SWEEP_SECONDS ?? 5);
const WORKERS = Number(process.env.SWEEP_WORKERS ?? 2);
/** The connection pool: preAllocatedVUs, and maxVUs when set (a fixed pool absorbs no connect storm). */
const PREALLOC = Number(process.env.SWEEP_PREALLOC ?? 10);
const MAXVUS = process.env.SWEEP_MAXVUS ? `, maxVUs: ${process.env.SWEEP_MAXVUS}` : '';
const CORE = process.env.GAUNTLET_CORE ?? 'native where it can';

const nginx = await startNginx();
const f = (x: number | undefined) =>
  x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
try {
  console.log(`workers ${WORKERS}, preAllocatedVUs ${PREALLOC}${MAXVUS}, core: ${CORE}\n`);
  console.log(
    `| offered req/s | achieved req/s | p50 ms | p99 ms | dropped | send lag p99 ms | busiest worker ELU | generator | exit |`,
  );
  console.log(`|---|---|---|---|---|---|---|---|---|`);
  for (const rate of RATES) {
    const { code, record: rec } = await gauntletLoad(
      nginx.url,
      `name: sweep\nscenario: { executor: constant-arrival-rate, rate: ${rate}, duration: ${SECONDS}s, preAllocatedVUs: ${PREALLOC}${MAXVUS} }\ngracefulStop: 2s\nworkers: ${WORKERS}\nrequests: [{ name: root, path: / }]\nthresholds: { http_req_duration: ['p(99)<100'] }\n`,
    );
    const load = rec.load!;
    const l = load.all.latency;
    const g = rec.verdicts.find((v) => v.id === 'generator');
    console.log(
      `| ${rate} | ${f(load.totals.requests / (load.durationMs / 1000))} | ${f(l?.p50Ms)} | ${f(l?.p99Ms)} | ${load.totals.droppedIterations} | ${f(load.generator?.lag?.latency?.p99Ms)} | ${((load.generator?.busiestWorkerElu ?? 0) * 100).toFixed(0)}% | ${g?.status ?? '—'} | ${code} |`,
    );
  }
} finally {
  await nginx.stop();
}

// The embedded engine: worker threads (one per core by default) generate the load; this
// thread starts them together, merges their per-second HDR histograms and tallies (counts add,
// histograms merge — percentiles are never averaged), streams progress, and stops them on
// schedule, on abort, or on interrupt.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Profile } from '../../config/profile.ts';
import { modelOf, scenarioDurationMs } from '../../config/profile.ts';
import { decode, encode, newHistogram, percentileMs, summarise, type Histogram } from '../../measure/histogram.ts';
import { finaliseSeconds, seriesOf, type Second } from './seconds.ts';
import type { LoadResult } from '../../record/schema.ts';
import { serialiseRequest } from './http1.ts';
import {
  addTally,
  emptyTally,
  type FromWorker,
  type SecondMsg,
  type Tally,
  type ToWorker,
  type WorkerInit,
} from './protocol.ts';
import type { LoadEngine, LoadRunContext, LoadTarget, Progress } from './engine.ts';
import { isIP } from 'node:net';

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

interface NameAcc {
  tally: Tally;
  hist: Histogram;
  method: string;
}

export const embeddedEngine: LoadEngine = {
  name: 'embedded',
  async run(profile, target, ctx) {
    return runEmbedded(profile, target, ctx);
  },
};

function workerCount(profile: Profile): number {
  const s = profile.scenario;
  const parallelism = profile.workers ?? availableParallelism();
  const maxUnits =
    'vus' in s
      ? s.vus
      : 'stages' in s && s.executor === 'ramping-vus'
        ? Math.max(s.startVUs, ...s.stages.map((x) => x.target))
        : Number.POSITIVE_INFINITY;
  return Math.max(1, Math.min(parallelism, maxUnits));
}

async function runEmbedded(profile: Profile, target: LoadTarget, ctx: LoadRunContext): Promise<LoadResult> {
  const url = new URL(target.baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`the embedded engine speaks HTTP/1.1 over TCP or TLS; ${url.protocol} targets are not supported`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const https = url.protocol === 'https:';
  const port = Number(url.port || (https ? 443 : 80));
  // SNI names the host unless it is an IP address (RFC 6066 forbids IP literals there).
  const tls = https
    ? { ...(isIP(host) ? {} : { servername: host }), ...(target.tls ?? { rejectUnauthorized: true }) }
    : undefined;
  const n = workerCount(profile);
  const requests = target.requests.map((r) => ({
    name: r.name,
    bytes: serialiseRequest(
      { method: r.method, path: joinPath(url.pathname, r.path), headers: r.headers, body: r.body },
      url.host,
    ),
    expectBody: r.method !== 'HEAD',
    weight: r.weight,
  }));
  const think =
    profile.thinkTime === undefined
      ? undefined
      : typeof profile.thinkTime === 'number'
        ? { min: profile.thinkTime, max: profile.thinkTime }
        : profile.thinkTime;

  const byName = new Map<string, NameAcc>();
  for (const r of target.requests)
    if (!byName.has(r.name)) byName.set(r.name, { tally: emptyTally(), hist: newHistogram(), method: r.method });
  const seconds = new Map<number, Second>();
  const finalise = (upTo: number) => finaliseSeconds(seconds, upTo);
  const iterationHist = newHistogram();
  const lagHist = newHistogram();
  const connectHist = newHistogram();
  let connectionLimit = 0;
  const errorReasons: Record<string, string> = {};
  let interrupted = 0;
  let maxVus = 0;
  let lastCompletionMs = 0;
  const elus: number[] = [];

  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<void>[] = [];
  for (let index = 0; index < n; index++) {
    const init: WorkerInit = {
      index,
      workers: n,
      host,
      port,
      ...(tls ? { tls } : {}),
      requests,
      scenario: profile.scenario,
      timeoutMs: profile.timeout,
      gracefulStopMs: profile.gracefulStop,
      thinkTimeMs: think,
    };
    const w = new Worker(WORKER_ENTRY, { workerData: init });
    workers.push(w);
    let markReady!: () => void;
    ready.push(new Promise((r) => (markReady = r)));
    done.push(
      new Promise((resolve, reject) => {
        let finished = false;
        w.on('error', reject);
        w.on('exit', (code) =>
          finished ? resolve() : reject(new Error(`load worker ${index} stopped before reporting (exit code ${code})`)),
        );
        w.on('message', (m: FromWorker) => {
          if (m.type === 'ready') markReady();
          else if (m.type === 'second') mergeSecond(m);
          else if (m.type === 'done') {
            iterationHist.add(decode(m.iterationHist));
            if (m.lagHist) lagHist.add(decode(m.lagHist));
            connectHist.add(decode(m.connectHist));
            connectionLimit += m.connectionLimit ?? 0;
            for (const [cls, why] of Object.entries(m.errorReasons)) errorReasons[cls] ??= why;
            interrupted += m.interrupted;
            maxVus += m.maxVus;
            lastCompletionMs = Math.max(lastCompletionMs, m.lastCompletionMs);
            elus.push(m.elu);
            finished = true;
            resolve();
            void w.terminate();
          }
        });
      }),
    );
  }

  function mergeSecond(m: SecondMsg): void {
    let s = seconds.get(m.second);
    if (!s) {
      s = { tally: emptyTally(), hist: newHistogram(), vus: 0, dropped: 0, iterations: 0 };
      seconds.set(m.second, s);
    }
    s.vus += m.vus;
    s.dropped += m.dropped;
    s.iterations += m.iterations;
    for (const [name, part] of Object.entries(m.byName)) {
      const h = decode(part.hist);
      const acc = byName.get(name)!;
      addTally(acc.tally, part.tally);
      acc.hist.add(h);
      addTally(s.tally, part.tally);
      // A worker's late report for a finalised second still counts in the totals above.
      s.hist?.add(h);
    }
  }

  const stopAll = () => workers.forEach((w) => w.postMessage({ type: 'stop' } satisfies ToWorker));
  await Promise.race([Promise.all(ready), Promise.all(done)]);
  const startAt = performance.timeOrigin + performance.now() + 20;
  const startedAtMs = ctx.clock.now() + 20;
  workers.forEach((w) => w.postMessage({ type: 'start', startAt } satisfies ToWorker));

  let stoppedEarly: string | undefined;
  const stop = (why: string) => {
    if (stoppedEarly) return;
    stoppedEarly = why;
    stopAll();
  };
  const onAbort = () => stop(ctx.signal.reason instanceof Error ? ctx.signal.reason.message : 'interrupted');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const progress = setInterval(() => {
    const elapsedNow = performance.timeOrigin + performance.now() - startAt;
    finalise(Math.floor(elapsedNow / 1000) - 3);
    const snapshot = progressAt(elapsedNow);
    ctx.onProgress?.(snapshot);
    const abort = ctx.shouldAbort?.(snapshot);
    if (abort) stop(abort);
  }, 1000);

  function progressAt(elapsedMs: number): Progress {
    const all = newHistogram();
    const tally = emptyTally();
    for (const acc of byName.values()) {
      all.add(acc.hist);
      addTally(tally, acc.tally);
    }
    const last = seconds.get(Math.floor(elapsedMs / 1000) - 1);
    return {
      elapsedMs,
      scheduledMs: scenarioDurationMs(profile.scenario),
      requests: tally.requests,
      failed: tally.failed,
      rps: last?.tally.requests ?? 0,
      p95Ms: all.totalCount ? percentileMs(all, 95) : undefined,
      vus: last?.vus ?? 0,
      dropped: [...seconds.values()].reduce((d, s) => d + s.dropped, 0),
      snapshot: () => buildResult(elapsedMs),
    };
  }

  function buildResult(durationMs: number): LoadResult {
    const all = newHistogram();
    const totals = emptyTally();
    const names: LoadResult['byName'] = {};
    for (const [name, acc] of byName) {
      all.add(acc.hist);
      addTally(totals, acc.tally);
      const latency = summarise(acc.hist);
      names[name] = {
        totals: acc.tally,
        method: acc.method,
        histogram: encode(acc.hist),
        ...(latency ? { latency } : {}),
      };
    }
    const series = seriesOf(seconds);
    const iterations = series.length ? [...seconds.values()].reduce((i, s) => i + s.iterations, 0) : 0;
    const dropped = [...seconds.values()].reduce((d, s) => d + s.dropped, 0);
    const allLatency = summarise(all);
    const iterLatency = summarise(iterationHist);
    const model = modelOf(profile.scenario);
    const lagLatency = summarise(lagHist);
    const connectLatency = summarise(connectHist);
    return {
      engine: 'embedded',
      profile: profile.name,
      executor: profile.scenario.executor,
      model,
      workers: n,
      generator: {
        busiestWorkerElu: Math.max(0, ...elus),
        ...(model === 'open'
          ? { lag: { histogram: encode(lagHist), ...(lagLatency ? { latency: lagLatency } : {}) }, connectionLimit }
          : {}),
      },
      startedAtMs,
      durationMs,
      scheduledMs: scenarioDurationMs(profile.scenario),
      totals: {
        ...totals,
        errors: totals.errors as Record<string, number>,
        iterations,
        droppedIterations: dropped,
        interruptedIterations: interrupted,
        maxVus,
      },
      all: { histogram: encode(all), ...(allLatency ? { latency: allLatency } : {}) },
      byName: names,
      iterationDuration: { histogram: encode(iterationHist), ...(iterLatency ? { latency: iterLatency } : {}) },
      series,
      ...(Object.keys(errorReasons).length ? { errorReasons } : {}),
      connecting: { histogram: encode(connectHist), ...(connectLatency ? { latency: connectLatency } : {}) },
      ...(stoppedEarly ? { stoppedEarly } : {}),
    };
  }

  try {
    await Promise.all(done);
  } finally {
    clearInterval(progress);
    ctx.signal.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  // The measured window: the start to the last completed request (at least the schedule when
  // the load ran to its end, so a quiet last second still counts in the rate).
  const measuredMs = stoppedEarly
    ? lastCompletionMs
    : Math.max(
        lastCompletionMs,
        Math.min(scenarioDurationMs(profile.scenario), performance.timeOrigin + performance.now() - startAt),
      );
  return buildResult(Math.max(measuredMs, 1));
}

function joinPath(base: string, path: string): string {
  return base === '/' || base === '' ? path : `${base.replace(/\/$/, '')}${path}`;
}

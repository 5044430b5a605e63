// The embedded engine: load workers generate the load — worker threads here (one per core by
// default), or shards in pods of a Kubernetes Job (kube-shards.ts) — and this thread starts them
// together, merges their per-second HDR histograms and tallies (counts add, histograms merge —
// percentiles are never averaged, across threads and machines alike), streams progress, and stops
// them on schedule, on abort, or on interrupt. Where the workers run is a Placement.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Profile } from '../../config/profile.ts';
import { modelOf, scenarioDurationMs } from '../../config/profile.ts';
import { decode, encode, newHistogram, percentileMs, summarise, type Histogram } from '../../measure/histogram.ts';
import { finaliseSeconds, seriesOf, type Second } from './seconds.ts';
import { BUILTIN_METRICS, hasWindows, parseSelector } from '../../config/threshold.ts';
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
  type WorkerRequest,
} from './protocol.ts';
import type { LoadEngine, LoadRunContext, LoadTarget, Progress } from './engine.ts';
import { isIP } from 'node:net';
import { chooseCore, startNative } from './native.ts';
import type { Core } from '../../config/core.ts';

export const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

interface PerSecond {
  requests: number;
  failed: number;
  hist?: Histogram;
}

interface NameAcc {
  tally: Tally;
  hist: Histogram;
  method: string;
  kind: 'http' | 'postgres' | 'redis';
}

/** One running load worker, wherever it runs. */
export interface Shard {
  /** Resolves once it reported `done`; a lost shard resolves with why (thread placement rejects). */
  ended: Promise<string | undefined>;
  stop(): void;
  close(): Promise<void>;
  /** Where it runs, for the report (a pod name). */
  where?: string;
  /** How late it started behind the common start instant (ms), when it could tell. */
  startSkewMs?: number;
  /** Which socket loop it runs (workers on this machine). */
  core?: Core;
}

/** Where the workers run: threads of this process, or pods. */
export interface Placement {
  engine: string;
  /** How many workers, when the placement fixes it (pods: --parallelism). */
  count?: number;
  /** Starts the workers; each message goes to `onMessage(index, m)`; resolves with the common start instant (epoch ms). */
  launch(
    inits: WorkerInit[],
    ctx: LoadRunContext,
    onMessage: (index: number, m: FromWorker) => void,
  ): Promise<{ shards: Shard[]; startAt: number }>;
}

/**
 * Load workers on this machine, started together 20 ms after the last is ready: processes of the
 * native core where it can run the profile (native.ts), else worker threads of this process.
 */
export const threadPlacement: Placement = {
  engine: 'embedded',
  async launch(inits, _ctx, onMessage) {
    const core = chooseCore(inits);
    const shards: Shard[] = [];
    const ready: Promise<void>[] = [];
    const starts: ((m: ToWorker) => void)[] = [];
    for (const init of inits) {
      if (core === 'native') {
        const w = startNative(init, (m) => onMessage(init.index, m));
        ready.push(w.ready);
        starts.push(w.post);
        shards.push({ ended: w.ended, core, stop: () => w.post({ type: 'stop' }), close: async () => w.kill() });
        continue;
      }
      const w = new Worker(WORKER_ENTRY, { workerData: init });
      starts.push((m) => w.postMessage(m));
      let markReady!: () => void;
      ready.push(new Promise((r) => (markReady = r)));
      const ended = new Promise<string | undefined>((resolve, reject) => {
        let finished = false;
        w.on('error', reject);
        w.on('exit', (code) =>
          finished
            ? resolve(undefined)
            : reject(new Error(`load worker ${init.index} stopped before reporting (exit code ${code})`)),
        );
        w.on('message', (m: FromWorker) => {
          if (m.type === 'ready') markReady();
          onMessage(init.index, m);
          if (m.type === 'done') {
            finished = true;
            resolve(undefined);
            void w.terminate();
          }
        });
      });
      shards.push({
        ended,
        core,
        stop: () => w.postMessage({ type: 'stop' } satisfies ToWorker),
        close: () => w.terminate().then(() => undefined),
      });
    }
    await Promise.race([Promise.all(ready), Promise.all(shards.map((x) => x.ended))]);
    const startAt = performance.timeOrigin + performance.now() + 20;
    for (const start of starts) start({ type: 'start', startAt });
    return { shards, startAt };
  },
};

export const embeddedEngine: LoadEngine = {
  name: 'embedded',
  async run(profile, target, ctx) {
    return runEmbedded(profile, target, ctx);
  },
};

function workerCount(profile: Profile, placement: Placement): number {
  if (placement.count) return placement.count;
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

export async function runEmbedded(
  profile: Profile,
  target: LoadTarget,
  ctx: LoadRunContext,
  placement: Placement = threadPlacement,
): Promise<LoadResult> {
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
  const n = workerCount(profile, placement);
  const requests: WorkerRequest[] = target.requests.map((r) =>
    r.kind === 'http'
      ? {
          name: r.name,
          bytes: serialiseRequest(
            { method: r.method, path: joinPath(url.pathname, r.path), headers: r.headers, body: r.body },
            url.host,
          ),
          expectBody: r.method !== 'HEAD',
          weight: r.weight,
        }
      : {
          name: r.name,
          bytes: new Uint8Array(0),
          expectBody: false,
          weight: r.weight,
          data: r.data,
          ...(r.timeoutMs !== undefined ? { timeoutMs: r.timeoutMs } : {}),
        },
  );
  const think =
    profile.thinkTime === undefined
      ? undefined
      : typeof profile.thinkTime === 'number'
        ? { min: profile.thinkTime, max: profile.thinkTime }
        : profile.thinkTime;

  const byName = new Map<string, NameAcc>();
  for (const r of target.requests)
    if (!byName.has(r.name))
      byName.set(r.name, { tally: emptyTally(), hist: newHistogram(), method: r.method, kind: r.kind });
  const seconds = new Map<number, Second>();
  // Windowed thresholds are judged on each request's seconds: kept only when one asks (with
  // histograms only for a windowed latency), so an ordinary run's memory stays flat.
  const windows = hasWindows(profile.thresholds) ? new Map<string, Map<number, PerSecond>>() : undefined;
  const windowedLatency = Object.keys(profile.thresholds).some((k) => {
    const sel = parseSelector(k);
    return typeof sel !== 'string' && sel.tags.window !== undefined && BUILTIN_METRICS[sel.metric] === 'trend';
  });
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

  // Per shard: what it sent, for the report (a shard lost mid-run is shown with what it had sent).
  const perShard = Array.from({ length: n }, () => ({ tally: emptyTally(), hist: newHistogram(), done: false }));
  const onMessage = (index: number, m: FromWorker) => {
    if (m.type === 'second') {
      mergeSecond(m);
      for (const part of Object.values(m.byName)) {
        addTally(perShard[index]!.tally, part.tally);
        perShard[index]!.hist.add(decode(part.hist));
      }
    } else if (m.type === 'done') {
      iterationHist.add(decode(m.iterationHist));
      if (m.lagHist) lagHist.add(decode(m.lagHist));
      connectHist.add(decode(m.connectHist));
      connectionLimit += m.connectionLimit ?? 0;
      for (const [cls, why] of Object.entries(m.errorReasons)) errorReasons[cls] ??= why;
      interrupted += m.interrupted;
      maxVus += m.maxVus;
      lastCompletionMs = Math.max(lastCompletionMs, m.lastCompletionMs);
      elus.push(m.elu);
      perShard[index]!.done = true;
    }
  };
  const inits: WorkerInit[] = Array.from({ length: n }, (_, index) => ({
    index,
    workers: n,
    host,
    port,
    ...(tls ? { tls } : {}),
    requests,
    scenario: profile.scenario,
    timeoutMs: profile.timeout,
    gracefulStopMs: profile.gracefulStop,
    maxRedirects: profile.maxRedirects,
    thinkTimeMs: think,
  }));

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
      if (windows) {
        const mine = windows.get(name) ?? new Map<number, PerSecond>();
        windows.set(name, mine);
        const e = mine.get(m.second) ?? {
          requests: 0,
          failed: 0,
          ...(windowedLatency ? { hist: newHistogram() } : {}),
        };
        mine.set(m.second, e);
        e.requests += part.tally.requests;
        e.failed += part.tally.failed;
        e.hist?.add(h);
      }
    }
  }

  const { shards, startAt } = await placement.launch(inits, ctx, onMessage);
  const startedAtMs = ctx.clock.now() + (startAt - (performance.timeOrigin + performance.now()));
  const stopAll = () => {
    for (const w of shards) w.stop();
  };
  const lost: (string | undefined)[] = Array.from({ length: n });

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
    if (elapsedNow < 0) return; // shards in pods start at an instant still to come
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
        ...(acc.kind !== 'http' ? { kind: acc.kind } : {}),
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
      engine: placement.engine,
      profile: profile.name,
      executor: profile.scenario.executor,
      model,
      workers: n,
      generator: {
        busiestWorkerElu: Math.max(0, ...elus),
        ...(shards[0]?.core ? { core: shards[0].core } : {}),
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
      ...(windows
        ? {
            perSecond: Object.fromEntries(
              [...windows].map(([name, m]) => [
                name,
                [...m]
                  .sort((a, b) => a[0] - b[0])
                  .map(([t, e]): [number, number, number, ...string[]] =>
                    e.hist ? [t, e.requests, e.failed, encode(e.hist)] : [t, e.requests, e.failed],
                  ),
              ]),
            ),
          }
        : {}),
      ...(Object.keys(errorReasons).length ? { errorReasons } : {}),
      connecting: { histogram: encode(connectHist), ...(connectLatency ? { latency: connectLatency } : {}) },
      ...(stoppedEarly ? { stoppedEarly } : {}),
      ...(placement !== threadPlacement
        ? {
            shards: perShard.map((x, index) => {
              const latency = summarise(x.hist);
              const sh = shards[index];
              return {
                index,
                ...(sh?.where ? { where: sh.where } : {}),
                status: lost[index] ? ('lost' as const) : x.done ? ('done' as const) : ('running' as const),
                ...(lost[index] ? { lost: lost[index] } : {}),
                requests: x.tally.requests,
                failed: x.tally.failed,
                ...(latency
                  ? { p50Ms: latency.p50Ms, p95Ms: latency.p95Ms, p99Ms: latency.p99Ms, histogram: encode(x.hist) }
                  : {}),
                ...(sh?.startSkewMs !== undefined ? { startSkewMs: sh.startSkewMs } : {}),
              };
            }),
          }
        : {}),
    };
  }

  try {
    // A lost shard (its pod died) stops nothing else: the others run on, and the result says
    // which shard was lost and what it had sent.
    await Promise.all(shards.map((x, i) => x.ended.then((why) => void (lost[i] = why))));
  } finally {
    clearInterval(progress);
    ctx.signal.removeEventListener('abort', onAbort);
    await Promise.all(shards.map((w) => w.close()));
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

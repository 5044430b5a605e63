// Load results for the generator's tests: a histogram block from values in ms, one open-model
// (or closed) run with a send-lag histogram, drops and a connection limit as asked.
import { encode, newHistogram, summarise } from '../measure/histogram.ts';
import type { Executor } from '../config/profile.ts';
import type { LoadResult } from '../record/schema.ts';

export function block(valuesMs: number[]) {
  const h = newHistogram();
  for (const v of valuesMs) h.recordValue(Math.round(v * 1000));
  const latency = summarise(h);
  return { histogram: encode(h), ...(latency ? { latency } : {}) };
}

export const scenario: Executor = {
  executor: 'constant-arrival-rate',
  rate: 500,
  timeUnit: 1000,
  duration: 10_000,
  preAllocatedVUs: 10,
};

export function openResult(o: {
  lagMs?: number[];
  latencyMs?: number[];
  requests?: number;
  dropped?: number;
  limit?: number;
  model?: 'open' | 'closed';
  noGenerator?: boolean;
  busiestWorkerElu?: number;
}): LoadResult {
  const latencyMs = o.latencyMs ?? [5];
  const requests = o.requests ?? latencyMs.length;
  const t = { requests, failed: 0, errors: {}, statuses: { 200: requests }, bytesIn: 0, bytesOut: 0 };
  return {
    engine: 'embedded',
    profile: 'p',
    executor: scenario.executor,
    model: o.model ?? 'open',
    workers: 2,
    startedAtMs: 0,
    durationMs: 10_000,
    scheduledMs: 10_000,
    ...(o.noGenerator
      ? {}
      : {
          generator: {
            busiestWorkerElu: o.busiestWorkerElu ?? 0.5,
            ...(o.lagMs ? { lag: block(o.lagMs) } : {}),
            ...(o.limit !== undefined ? { connectionLimit: o.limit } : {}),
          },
        }),
    totals: { ...t, iterations: requests, droppedIterations: o.dropped ?? 0, interruptedIterations: 0, maxVus: 1 },
    all: block(latencyMs),
    byName: { api: { totals: t, method: 'GET', ...block(latencyMs) } },
    iterationDuration: block(latencyMs),
    series: [],
  };
}

// Constructed loads for the outputs' unit tests: one per-name breakdown from a few latencies.
import { encode, newHistogram } from '../measure/histogram.ts';
import type { LoadResult } from '../record/schema.ts';

/** An encoded histogram holding these latencies (ms). */
export function histogramOf(ms: number[]): string {
  const h = newHistogram();
  for (const v of ms) h.recordValue(Math.round(v * 1000));
  return encode(h);
}

/** One request name's entry in `byName`. */
export function byNameEntry(
  method: string,
  statuses: Record<string, number>,
  counts: { requests: number; failed: number },
  ms: number[],
  kind?: 'postgres' | 'redis',
): LoadResult['byName'][string] {
  return {
    ...(kind ? { kind } : {}),
    method,
    totals: { ...counts, errors: {}, statuses, bytesIn: 0, bytesOut: 0 },
    histogram: histogramOf(ms),
  } as LoadResult['byName'][string];
}

/** A load of profile "gate" with these names, 9 iterations (1 dropped), 3 VUs now and 4 at most. */
export function sampleLoad(byName: LoadResult['byName']): LoadResult {
  return {
    profile: 'gate',
    byName,
    totals: { iterations: 9, droppedIterations: 1, maxVus: 4 },
    series: [{ vus: 3 }],
  } as unknown as LoadResult;
}

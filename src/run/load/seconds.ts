// Per-second accounting shared by the engines: tallies, and a histogram only until the second
// is complete — then its percentiles are kept and the histogram dropped, so memory stays flat
// over long runs.
import { percentileMs, type Histogram } from '../../measure/histogram.ts';
import type { LoadResult } from '../../record/schema.ts';
import type { Tally } from './protocol.ts';

export interface Second {
  tally: Tally;
  hist: Histogram | undefined;
  pct?: { p50Ms: number; p95Ms: number; p99Ms: number };
  vus: number;
  dropped: number;
  iterations: number;
}

/** Seconds before `upTo` are complete: keep their percentiles, drop their histograms. */
export function finaliseSeconds(seconds: Map<number, Second>, upTo: number): void {
  for (const [t, s] of seconds) {
    if (t >= upTo || !s.hist) continue;
    if (s.hist.totalCount)
      s.pct = { p50Ms: percentileMs(s.hist, 50), p95Ms: percentileMs(s.hist, 95), p99Ms: percentileMs(s.hist, 99) };
    s.hist = undefined;
  }
}

/** The result's per-second series, in order. */
export function seriesOf(seconds: Map<number, Second>): LoadResult['series'] {
  return [...seconds.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, s]) => ({
      t,
      requests: s.tally.requests,
      failed: s.tally.failed,
      errors: s.tally.errors as Record<string, number>,
      ...(s.hist?.totalCount
        ? { p50Ms: percentileMs(s.hist, 50), p95Ms: percentileMs(s.hist, 95), p99Ms: percentileMs(s.hist, 99) }
        : (s.pct ?? {})),
      vus: s.vus,
      dropped: s.dropped,
    }));
}

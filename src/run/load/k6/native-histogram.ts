// k6's runners merged exactly enough to judge: each runner sends http_req_duration to Prometheus
// by remote write as a native histogram (K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM); Prometheus
// adds the runners' histograms (sum by nothing), and Gauntlet reads the merged buckets back. A
// percentile is then known to within the bucket it falls in — an interval, stated with the value —
// instead of the "highest runner's percentile" that per-runner summaries allow.

/** One bucket of a Prometheus native histogram (seconds), as its HTTP API returns it. */
export interface NativeBucket {
  lower: number;
  upper: number;
  count: number;
}

export interface NativeHistogram {
  count: number;
  sum: number;
  buckets: NativeBucket[];
}

/** The `histogram` of an instant-query sample: { count, sum, buckets: [[boundaryRule, lower, upper, count], …] }. */
export function parseNativeHistogram(h: {
  count: string;
  sum: string;
  buckets?: [number, string, string, string][];
}): NativeHistogram {
  return {
    count: Number(h.count),
    sum: Number(h.sum),
    buckets: (h.buckets ?? [])
      .map(([, lower, upper, count]) => ({ lower: Number(lower), upper: Number(upper), count: Number(count) }))
      .filter((b) => b.count > 0)
      .sort((a, b) => a.lower - b.lower),
  };
}

/**
 * The q-quantile (0–1) of the histogram: the bucket holding the observation of rank ⌈q·count⌉,
 * as [lower, upper] (the truth lies there), and a value interpolated linearly inside it. No data
 * is undefined, never 0.
 */
export function quantileOf(h: NativeHistogram, q: number): { value: number; lower: number; upper: number } | undefined {
  if (h.count <= 0 || !h.buckets.length) return undefined;
  const rank = Math.max(1, Math.ceil(q * h.count));
  let below = 0;
  for (const b of h.buckets) {
    if (below + b.count >= rank) {
      const within = (rank - below) / b.count;
      return { value: b.lower + (b.upper - b.lower) * within, lower: b.lower, upper: b.upper };
    }
    below += b.count;
  }
  const last = h.buckets[h.buckets.length - 1]!;
  return { value: last.upper, lower: last.lower, upper: last.upper };
}

/** k6's trend aggregation names → quantiles: med, p(95), p(99.9). Others (avg, min, max) are not quantiles. */
export function quantileOfAggregation(agg: string): number | undefined {
  if (agg === 'med') return 0.5;
  const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(agg);
  return m ? Number((Number(m[1]) / 100).toPrecision(12)) : undefined;
}

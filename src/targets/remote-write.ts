// A load's figures to Prometheus over remote write while it runs, under the names and labels
// k6's experimental-prometheus-rw output uses, so Grafana's k6 dashboards read Gauntlet's runs
// unchanged: counters as k6_<metric>_total, rates as k6_<metric>_rate, trends as one gauge per
// stat (k6_http_req_duration_p99, … in seconds) or, with nativeHistograms, as one native
// histogram (k6_http_req_duration_seconds, as k6's K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM);
// k6_vus as a gauge; labels testid (the run id), scenario (the profile), name, method, and status
// on the request counters. Values are the run's so far (cumulative, like k6's), from the same
// exact histograms as the record. The request is remote write 1.0: protobuf, snappy-compressed.
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import type { LoadResult, RunRecord } from '../record/schema.ts';
import { decode, exponentialBuckets, type Histogram } from '../measure/histogram.ts';
import { liveOutput, type LiveOutput } from './live-output.ts';

export interface RemoteWriteOptions {
  url: string;
  headers?: Record<string, string> | undefined;
  pushIntervalMs: number;
  nativeHistograms?: boolean | undefined;
}

/** A native histogram sample as remote write carries it (integer counts, positive buckets only). */
export interface NativeSample {
  countInt: number;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCountInt: number;
  positiveSpans: { offset: number; length: number }[];
  positiveDeltas: number[];
  timestamp: number;
}

export interface Series {
  labels: { __name__: string } & Record<string, string>;
  samples?: { value: number; timestamp: number }[];
  histograms?: NativeSample[];
}

/**
 * The bucket factor k6 asks of its native histograms (client_golang's 1.00271: schema 8, each
 * bucket 0.27 % wide), the finest Prometheus keeps.
 */
export const NATIVE_SCHEMA = 8;

/** An HDR histogram (µs) as a native histogram sample in seconds: spans and delta-encoded counts. Pure. */
export function nativeSample(h: Histogram, timestamp: number, schema = NATIVE_SCHEMA): NativeSample {
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  let previousIndex: number | undefined;
  let previousCount = 0;
  for (const [i, n] of exponentialBuckets(h, schema)) {
    if (previousIndex !== undefined && i === previousIndex + 1) spans.at(-1)!.length++;
    else spans.push({ offset: previousIndex === undefined ? i : i - previousIndex - 1, length: 1 });
    deltas.push(n - previousCount);
    previousCount = n;
    previousIndex = i;
  }
  return {
    countInt: h.totalCount,
    sum: (h.mean * h.totalCount) / 1e6,
    schema,
    zeroThreshold: 0,
    zeroCountInt: 0,
    positiveSpans: spans,
    positiveDeltas: deltas,
    timestamp,
  };
}

// Prometheus's prompb WriteRequest (types.proto), the fields Gauntlet writes.
const WriteRequest = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
            histograms: { rule: 'repeated', type: 'Histogram', id: 4 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
        BucketSpan: { fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } } },
        Histogram: {
          fields: {
            countInt: { type: 'uint64', id: 1 },
            sum: { type: 'double', id: 3 },
            schema: { type: 'sint32', id: 4 },
            zeroThreshold: { type: 'double', id: 5 },
            zeroCountInt: { type: 'uint64', id: 6 },
            positiveSpans: { rule: 'repeated', type: 'BucketSpan', id: 11 },
            positiveDeltas: { rule: 'repeated', type: 'sint64', id: 12 },
            timestamp: { type: 'int64', id: 15 },
          },
        },
      },
    },
  },
}).lookupType('prometheus.WriteRequest');

/** The snappy-compressed protobuf body of one write request; labels sorted by name, as the spec asks. */
export function writeRequestBody(series: Series[]): Uint8Array {
  const message = WriteRequest.fromObject({
    timeseries: series.map((s) => ({
      labels: Object.entries(s.labels)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => ({ name, value })),
      samples: s.samples ?? [],
      histograms: s.histograms ?? [],
    })),
  });
  return snappy.compress(WriteRequest.encode(message).finish());
}

/** A decoded write request body (for the tests). */
export function readWriteRequestBody(body: Uint8Array): unknown {
  return WriteRequest.toObject(WriteRequest.decode(snappy.uncompress(body)), { longs: Number });
}

const PREFIX: Record<string, { reqs: string; failed: string; duration: string }> = {
  http: { reqs: 'k6_http_reqs_total', failed: 'k6_http_req_failed_rate', duration: 'k6_http_req_duration' },
  postgres: { reqs: 'k6_db_queries_total', failed: 'k6_db_query_failed_rate', duration: 'k6_db_query_duration' },
  redis: { reqs: 'k6_redis_cmds_total', failed: 'k6_redis_cmd_failed_rate', duration: 'k6_redis_cmd_duration' },
};

/** Trend stats as k6 names them in remote write (p(99) → p99), values in seconds. */
const STATS: [string, (h: ReturnType<typeof decode>) => number][] = [
  ['p99', (h) => h.getValueAtPercentile(99)],
  ['p95', (h) => h.getValueAtPercentile(95)],
  ['p90', (h) => h.getValueAtPercentile(90)],
  ['med', (h) => h.getValueAtPercentile(50)],
  ['avg', (h) => h.mean],
  ['min', (h) => h.minNonZeroValue],
  ['max', (h) => h.maxValue],
];

/** The series of one push: the load so far, stamped `nowMs` (epoch). Pure. */
export function k6Series(l: LoadResult, testid: string, nowMs: number, nativeHistograms = false): Series[] {
  const out: Series[] = [];
  const put = (name: string, labels: Record<string, string>, value: number) =>
    out.push({
      labels: { __name__: name, testid, scenario: l.profile, ...labels },
      samples: [{ value, timestamp: nowMs }],
    });
  for (const [name, b] of Object.entries(l.byName)) {
    const p = PREFIX[b.kind ?? 'http']!;
    const tags = { name, method: b.method };
    const statuses = Object.entries(b.totals.statuses);
    if (statuses.length) for (const [status, n] of statuses) put(p.reqs, { ...tags, status }, n);
    // Requests without a status (network errors, SQL, Redis): k6 tags those status="0".
    const withoutStatus = b.totals.requests - statuses.reduce((n, [, k]) => n + k, 0);
    if (withoutStatus > 0 || !statuses.length) put(p.reqs, { ...tags, status: '0' }, withoutStatus);
    if (b.totals.requests) put(p.failed, tags, b.totals.failed / b.totals.requests);
    const h = decode(b.histogram);
    if (!h.totalCount) continue;
    if (nativeHistograms)
      out.push({
        labels: { __name__: `${p.duration}_seconds`, testid, scenario: l.profile, ...tags },
        histograms: [nativeSample(h, nowMs)],
      });
    else for (const [stat, f] of STATS) put(`${p.duration}_${stat}`, tags, f(h) / 1e6);
  }
  put('k6_iterations_total', {}, l.totals.iterations);
  put('k6_dropped_iterations_total', {}, l.totals.droppedIterations);
  put('k6_vus', {}, l.series.at(-1)?.vus ?? 0);
  put('k6_vus_max', {}, l.totals.maxVus);
  return out;
}

/** Pushes the load's series while it runs and at its end (the schedule in live-output.ts). */
export function remoteWriter(o: RemoteWriteOptions, testid: string, warn: (line: string) => void): LiveOutput {
  return liveOutput(
    'prometheus remote write',
    o.pushIntervalMs,
    (l) => send(o, k6Series(l, testid, Date.now(), o.nativeHistograms)),
    `the run's series (testid=${testid})`,
    warn,
  );
}

/** One remote-write request, bounded at 5 s; anything but 2xx is an error. */
async function send(o: Pick<RemoteWriteOptions, 'url' | 'headers'>, series: Series[]): Promise<void> {
  const r = await fetch(o.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
      ...o.headers,
    },
    body: Buffer.from(writeRequestBody(series)),
    signal: AbortSignal.timeout(5000),
  });
  if (r.status < 200 || r.status >= 300) {
    const text = (await r.text().catch(() => '')).trim();
    throw new Error(`${r.status} ${r.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
}

/** Each injected fault's outage in wall-clock ms: from its injection to its recovery (never recovered: the experiment's end). Pure. */
export function faultIntervals(r: Pick<RunRecord, 'runId' | 'startedAt' | 'chaos'>) {
  const wall = Date.parse(r.startedAt);
  const out: { labels: Record<'testid' | 'experiment' | 'fault' | 'kind', string>; onMs: number; offMs: number }[] = [];
  for (const c of r.chaos ?? [])
    for (const f of c.faults) {
      if (f.injectedAtMs === undefined) continue;
      const on = Math.round(wall + f.injectedAtMs);
      // Recovered at once (RTO 0) still ends a millisecond later: one timestamp holds one value.
      const end = f.recoveredAtMs ?? (f.rtoMs !== undefined ? f.injectedAtMs + f.rtoMs : c.windowEndMs);
      out.push({
        labels: { testid: r.runId, experiment: c.experiment, fault: f.id, kind: f.label },
        onMs: on,
        offMs: Math.max(on + 1, Math.round(wall + end)),
      });
    }
  return out;
}

/**
 * Each fault of a run as its own series, `gauntlet_fault_active{testid, experiment, fault, kind}`:
 * 1 at its injection, 0 at its recovery, so a dashboard can shade the outage beside the k6_
 * series. Timestamps are wall-clock ms. Pure.
 */
export function faultSeries(r: Pick<RunRecord, 'runId' | 'startedAt' | 'chaos'>): Series[] {
  return faultIntervals(r).map((f) => ({
    labels: { __name__: 'gauntlet_fault_active', ...f.labels },
    samples: [
      { value: 1, timestamp: f.onMs },
      { value: 0, timestamp: f.offMs },
    ],
  }));
}

/** One push of finished series (the faults, after the run): a delivery line, or a throw. */
export async function pushOnce(o: Pick<RemoteWriteOptions, 'url' | 'headers'>, series: Series[]): Promise<string> {
  await send(o, series);
  return `${series.length} fault series written`;
}

// A load's figures to an OpenTelemetry receiver over OTLP/HTTP (protobuf) while it runs, under the
// names and attributes k6's OpenTelemetry output uses with the prefix its documentation runs it
// with (K6_OTEL_METRIC_PREFIX=k6_): counters as monotonic sums (k6_http_reqs), rates as one
// integer sum `<name>.total` with condition="zero"|"nonzero" (k6 ≥ 1.4), trends as explicit-bucket
// histograms in ms on the OpenTelemetry SDK's default boundaries, k6_vus as a gauge. Attributes:
// testid (the run id), scenario (the profile), name, method, and status on the request counters.
// Cumulative temporality, from the same exact histograms as the record: the bucket counts are
// read off the HDR histogram, so a receiver's count and sum equal the record's.
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { decode, explicitBuckets } from '../measure/histogram.ts';
import type { LoadResult, RunRecord } from '../record/schema.ts';
import { VERSION } from '../version.ts';
import { liveOutput, type LiveOutput } from './live-output.ts';
import { faultIntervals } from './remote-write.ts';

export interface OtlpOptions {
  url: string;
  headers?: Record<string, string> | undefined;
  pushIntervalMs: number;
  metricPrefix: string;
}

/** The OpenTelemetry SDK's default explicit-bucket boundaries (ms), which k6's histograms keep. */
export const BOUNDARIES_MS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

const KIND: Record<string, { reqs: string; failed: string; duration: string }> = {
  http: { reqs: 'http_reqs', failed: 'http_req_failed', duration: 'http_req_duration' },
  postgres: { reqs: 'db_queries', failed: 'db_query_failed', duration: 'db_query_duration' },
  redis: { reqs: 'redis_cmds', failed: 'redis_cmd_failed', duration: 'redis_cmd_duration' },
};

const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

type Point<T> = { attributes: Attributes; value: T; startMs?: number; atMs?: number };

const sum = (name: string, valueType: ValueType, points: Point<number>[], startMs: number, nowMs: number) =>
  ({
    descriptor: { name, description: '', unit: '', valueType },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints: points.map((p) => ({
      startTime: hr(startMs),
      endTime: hr(nowMs),
      attributes: p.attributes,
      value: p.value,
    })),
  }) satisfies MetricData;

const gauge = (name: string, points: Point<number>[], nowMs: number) =>
  ({
    descriptor: { name, description: '', unit: '', valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: points.map((p) => ({
      startTime: hr(p.atMs ?? nowMs),
      endTime: hr(p.atMs ?? nowMs),
      attributes: p.attributes,
      value: p.value,
    })),
  }) satisfies MetricData;

/** The metrics of one export: the load so far, cumulative from `startMs` to `nowMs` (epoch ms). Pure. */
export function k6Metrics(l: LoadResult, testid: string, prefix: string, startMs: number, nowMs: number): MetricData[] {
  const reqs = new Map<string, Point<number>[]>();
  const failed = new Map<string, Point<number>[]>();
  const durations = new Map<string, MetricData & { dataPointType: DataPointType.HISTOGRAM }>();
  const base = { testid, scenario: l.profile };
  const add = <T>(m: Map<string, T[]>, name: string, p: T) => m.set(name, [...(m.get(name) ?? []), p]);
  for (const [name, b] of Object.entries(l.byName)) {
    const k = KIND[b.kind ?? 'http']!;
    const tags = { ...base, name, method: b.method };
    const statuses = Object.entries(b.totals.statuses);
    for (const [status, n] of statuses) add(reqs, k.reqs, { attributes: { ...tags, status }, value: n });
    // Requests without a status (network errors, SQL, Redis): k6 tags those status="0".
    const withoutStatus = b.totals.requests - statuses.reduce((n, [, c]) => n + c, 0);
    if (withoutStatus > 0 || !statuses.length)
      add(reqs, k.reqs, { attributes: { ...tags, status: '0' }, value: withoutStatus });
    add(failed, k.failed, { attributes: { ...tags, condition: 'nonzero' }, value: b.totals.failed });
    add(failed, k.failed, { attributes: { ...tags, condition: 'zero' }, value: b.totals.requests - b.totals.failed });
    const h = decode(b.histogram);
    if (!h.totalCount) continue;
    const point = {
      startTime: hr(startMs),
      endTime: hr(nowMs),
      attributes: tags,
      value: {
        buckets: { boundaries: BOUNDARIES_MS, counts: explicitBuckets(h, BOUNDARIES_MS) },
        count: h.totalCount,
        sum: (h.mean * h.totalCount) / 1000,
        min: h.minNonZeroValue / 1000,
        max: h.maxValue / 1000,
      },
    };
    const d = durations.get(k.duration);
    if (d) d.dataPoints.push(point);
    else
      durations.set(k.duration, {
        descriptor: { name: prefix + k.duration, description: '', unit: 'ms', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: [point],
      });
  }
  return [
    ...[...reqs].map(([n, ps]) => sum(prefix + n, ValueType.DOUBLE, ps, startMs, nowMs)),
    ...[...failed].map(([n, ps]) => sum(`${prefix}${n}.total`, ValueType.INT, ps, startMs, nowMs)),
    ...durations.values(),
    sum(`${prefix}iterations`, ValueType.DOUBLE, [{ attributes: base, value: l.totals.iterations }], startMs, nowMs),
    sum(
      `${prefix}dropped_iterations`,
      ValueType.DOUBLE,
      [{ attributes: base, value: l.totals.droppedIterations }],
      startMs,
      nowMs,
    ),
    gauge(`${prefix}vus`, [{ attributes: base, value: l.series.at(-1)?.vus ?? 0 }], nowMs),
    gauge(`${prefix}vus_max`, [{ attributes: base, value: l.totals.maxVus }], nowMs),
  ];
}

/** Each fault as `gauntlet_fault_active{testid, experiment, fault, kind}`: 1 at its injection, 0 at its recovery. Pure. */
export function faultMetrics(r: Pick<RunRecord, 'runId' | 'startedAt' | 'chaos'>): MetricData[] {
  const points = faultIntervals(r).flatMap((f) => [
    { attributes: f.labels, value: 1, atMs: f.onMs },
    { attributes: f.labels, value: 0, atMs: f.offMs },
  ]);
  return points.length ? [gauge('gauntlet_fault_active', points, Date.now())] : [];
}

const resource = resourceFromAttributes({ 'service.name': 'gauntlet', 'service.version': VERSION });

/** One OTLP/HTTP export, bounded at 5 s; anything but success is an error naming the receiver's answer. */
export async function exportMetrics(
  o: Pick<OtlpOptions, 'url' | 'headers'>,
  metrics: MetricData[],
  exporter = new OTLPMetricExporter({ url: o.url, headers: o.headers ?? {}, timeoutMillis: 5000 }),
): Promise<void> {
  const batch: ResourceMetrics = {
    resource,
    scopeMetrics: [{ scope: { name: 'gauntlet', version: VERSION }, metrics }],
  };
  await new Promise<void>((resolve, reject) =>
    exporter.export(batch, (r) =>
      r.code === ExportResultCode.SUCCESS ? resolve() : reject(new Error(exportFailure(r.error))),
    ),
  );
}

/** The receiver's answer: its HTTP status when it gave one (the exporter's error carries it as `code`). */
function exportFailure(err: (Error & { code?: number }) | undefined): string {
  if (!err) return 'export failed';
  return err.code ? `${err.code} ${err.message}` : err.message;
}

/** Exports the load's metrics while it runs and at its end (the schedule in live-output.ts). */
export function otlpWriter(o: OtlpOptions, testid: string, warn: (line: string) => void): LiveOutput {
  const startMs = Date.now();
  const exporter = new OTLPMetricExporter({ url: o.url, headers: o.headers ?? {}, timeoutMillis: 5000 });
  return liveOutput(
    'otlp',
    o.pushIntervalMs,
    (l) => exportMetrics(o, k6Metrics(l, testid, o.metricPrefix, startMs, Date.now()), exporter),
    `the run's metrics (testid=${testid})`,
    warn,
  );
}

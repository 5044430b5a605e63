// A load's figures to Prometheus over remote write while it runs, under the names and labels
// k6's experimental-prometheus-rw output uses, so Grafana's k6 dashboards read Gauntlet's runs
// unchanged: counters as k6_<metric>_total, rates as k6_<metric>_rate, trends as one gauge per
// stat (k6_http_req_duration_p99, … in seconds), k6_vus as a gauge; labels testid (the run id),
// scenario (the profile), name, method, and status on the request counters. Values are the run's
// so far (cumulative, like k6's), from the same exact histograms as the record.
import { pushTimeseries } from 'prometheus-remote-write';
import type { LoadResult, RunRecord } from '../record/schema.ts';
import { decode } from '../measure/histogram.ts';
import { liveOutput, type LiveOutput } from './live-output.ts';

export interface RemoteWriteOptions {
  url: string;
  headers?: Record<string, string> | undefined;
  pushIntervalMs: number;
}

interface Series {
  labels: { __name__: string } & Record<string, string>;
  samples: { value: number; timestamp: number }[];
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
export function k6Series(l: LoadResult, testid: string, nowMs: number): Series[] {
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
    if (h.totalCount) for (const [stat, f] of STATS) put(`${p.duration}_${stat}`, tags, f(h) / 1e6);
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
    (l) => send(o, k6Series(l, testid, Date.now())),
    `the run's series (testid=${testid})`,
    warn,
  );
}

/** One remote-write request, bounded at 5 s; anything but 2xx is an error. */
async function send(o: Pick<RemoteWriteOptions, 'url' | 'headers'>, series: Series[]): Promise<void> {
  const r = await pushTimeseries(series, {
    url: o.url,
    headers: o.headers ?? {},
    timeout: 5000,
    fetch: (url, init) => fetch(url, { ...init, body: init?.body as BodyInit, signal: AbortSignal.timeout(5000) }),
  });
  if (r.status < 200 || r.status >= 300)
    throw new Error(`${r.status} ${r.statusText}${r.errorMessage ? `: ${r.errorMessage.slice(0, 200)}` : ''}`);
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

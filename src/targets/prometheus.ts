// Speaking to the Prometheus stack teams already run: PromQL queries (instant and range) with
// Prometheus's own error messages, Alertmanager's active alerts, the Pushgateway, and Grafana
// annotations. Plain HTTP; every call bounded by a timeout.
import { z } from 'zod';
import { cannotRun, configError } from '../core/errors.ts';
import { parseAnswer } from '../core/answer.ts';

export interface Series {
  labels: Record<string, string>;
  /** [unix seconds, value] */
  points: [number, number][];
}

const Sample = z.tuple([z.number(), z.string()]);
/** Prometheus's HTTP API envelope (https://prometheus.io/docs/prometheus/latest/querying/api/). */
const PromResponse = z.looseObject({
  status: z.enum(['success', 'error']),
  errorType: z.string().optional(),
  error: z.string().optional(),
  data: z
    .discriminatedUnion('resultType', [
      z.looseObject({ resultType: z.literal('scalar'), result: Sample }),
      z.looseObject({ resultType: z.literal('string'), result: z.tuple([z.number(), z.string()]) }),
      z.looseObject({
        resultType: z.enum(['vector', 'matrix']),
        result: z.array(
          z.looseObject({
            metric: z.record(z.string(), z.string()),
            value: Sample.optional(),
            values: z.array(Sample).optional(),
          }),
        ),
      }),
    ])
    .optional(),
});

/** Alertmanager's GET /api/v2/alerts, as far as Gauntlet reads it. */
const AlertList = z.array(
  z.looseObject({
    labels: z.record(z.string(), z.string()),
    startsAt: z.string(),
    status: z.looseObject({ state: z.string().optional() }).optional(),
  }),
);

export class PromQLError extends Error {}

async function promApi(
  base: string,
  path: string,
  params: Record<string, string>,
  timeoutMs: number,
): Promise<z.infer<typeof PromResponse>['data']> {
  const url = `${base.replace(/\/$/, '')}${path}?${new URLSearchParams(params)}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(
      `Prometheus at ${base} is unreachable: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new Error(`Prometheus at ${base} answered ${res.status} without JSON`);
  }
  const body = parseAnswer(PromResponse, json, `Prometheus at ${base} (HTTP ${res.status})`);
  if (body.status !== 'success') {
    if (body.errorType === 'bad_data') throw new PromQLError(body.error ?? 'bad query');
    throw new Error(`Prometheus: ${body.errorType ?? res.status}: ${body.error ?? ''}`);
  }
  return body.data;
}

const num = (v: string) => (v === 'NaN' ? Number.NaN : Number(v));

export async function instantQuery(base: string, query: string, timeoutMs = 5000): Promise<Series[]> {
  const data = await promApi(base, '/api/v1/query', { query }, timeoutMs);
  if (!data) return [];
  if (data.resultType === 'scalar' || data.resultType === 'string')
    return [{ labels: {}, points: [[data.result[0], num(data.result[1])]] }];
  return data.result.map((r) => ({
    labels: r.metric,
    points: r.value ? [[r.value[0], num(r.value[1])]] : [],
  }));
}

export async function rangeQuery(
  base: string,
  query: string,
  startS: number,
  endS: number,
  stepS: number,
  timeoutMs = 15_000,
): Promise<Series[]> {
  const data = await promApi(
    base,
    '/api/v1/query_range',
    { query, start: String(startS), end: String(endS), step: String(stepS) },
    timeoutMs,
  );
  if (!data || data.resultType === 'scalar' || data.resultType === 'string') return [];
  return data.result.map((r) => ({
    labels: r.metric,
    points: (r.values ?? []).map(([t, v]) => [t, num(v)] as [number, number]),
  }));
}

/** Checks queries before a run: a PromQL error is a config error with Prometheus's message; an unreachable Prometheus cannot run. */
export async function validateQueries(base: string, queries: { name: string; query: string }[]): Promise<void> {
  const problems: string[] = [];
  for (const q of queries) {
    try {
      await instantQuery(base, q.query);
    } catch (err) {
      if (err instanceof PromQLError) problems.push(`${q.name}: Prometheus rejects the query: ${err.message}`);
      else throw cannotRun((err as Error).message);
    }
  }
  if (problems.length)
    throw configError(`${problems.length} PromQL problem${problems.length === 1 ? '' : 's'}`, problems);
}

export interface Alert {
  name: string;
  labels: Record<string, string>;
  startsAt: string;
  state: string;
}

/** Alertmanager's active alerts (API v2). */
export async function activeAlerts(base: string, timeoutMs = 3000): Promise<Alert[]> {
  const res = await fetch(`${base.replace(/\/$/, '')}/api/v2/alerts?active=true&silenced=false&inhibited=false`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`Alertmanager answered ${res.status}`);
  const list = parseAnswer(AlertList, await res.json(), `Alertmanager at ${base}`);
  return list.map((a) => ({
    name: a.labels.alertname ?? '(unnamed)',
    labels: a.labels,
    startsAt: a.startsAt,
    state: a.status?.state ?? 'active',
  }));
}

/** Replaces the group's metrics in the Pushgateway (PUT): one group per environment, command and engine. */
export async function pushGroup(
  base: string,
  job: string,
  grouping: Record<string, string>,
  text: string,
  timeoutMs = 5000,
): Promise<void> {
  const path = [
    `job/${encodeURIComponent(job)}`,
    ...Object.entries(grouping).map(
      ([k, v]) => `${encodeURIComponent(k)}/${v === '' ? '@base64/=' : encodeURIComponent(v)}`,
    ),
  ].join('/');
  const res = await fetch(`${base.replace(/\/$/, '')}/metrics/${path}`, {
    method: 'PUT',
    body: text,
    headers: { 'content-type': 'text/plain; version=0.0.4' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`the Pushgateway answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
}

export interface Annotation {
  /** epoch ms */
  time: number;
  timeEnd?: number;
  tags: string[];
  text: string;
}

/** Grafana's HTTP API: POST /api/annotations with a service-account token. */
export async function annotate(base: string, token: string, a: Annotation, timeoutMs = 5000): Promise<void> {
  const res = await fetch(`${base.replace(/\/$/, '')}/api/annotations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(a),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`Grafana answered ${res.status}`);
}

/** Prometheus's text exposition: a metric line with escaped label values. */
export function metricLine(name: string, labels: Record<string, string>, value: number): string {
  const l = Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`)
    .join(',');
  return `${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 'NaN'}`;
}

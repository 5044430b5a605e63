// k6's threshold expressions, parsed and checked against the metrics a profile can produce:
// `p(95)<200`, `avg<100`, `rate<0.01`, `count>10` on `http_req_duration{name:api}` and friends.
// Pure: no IO.
import { holds } from '../core/comparison.ts';
import { parseDurationMs } from '../core/duration.ts';

export type MetricType = 'trend' | 'rate' | 'counter';

/** The built-in metrics and their types (k6's names). */
export const BUILTIN_METRICS: Record<string, MetricType> = {
  http_req_duration: 'trend',
  iteration_duration: 'trend',
  http_req_failed: 'rate',
  http_reqs: 'counter',
  iterations: 'counter',
  dropped_iterations: 'counter',
  // The data tier (xk6-sql's and xk6-redis's ideas, k6's naming): SQL statements and Redis commands.
  db_query_duration: 'trend',
  db_query_failed: 'rate',
  db_queries: 'counter',
  redis_cmd_duration: 'trend',
  redis_cmd_failed: 'rate',
  redis_cmds: 'counter',
};

/** Which requests a metric is about: http_* HTTP's, db_* the SQL statements, redis_* the Redis commands. */
export function kindOfMetric(metric: string): 'http' | 'postgres' | 'redis' | undefined {
  if (metric.startsWith('http_')) return 'http';
  if (metric.startsWith('db_')) return 'postgres';
  if (metric.startsWith('redis_')) return 'redis';
  return undefined;
}

const aggregationsFor: Record<MetricType, RegExp> = {
  trend: /^(avg|min|max|med|p\(\d+(\.\d+)?\))$/,
  rate: /^rate$/,
  counter: /^(count|rate)$/,
};

export interface MetricSelector {
  metric: string;
  tags: Record<string, string>;
  /** As written, e.g. "http_req_duration{name:api}". */
  text: string;
}

export interface ThresholdExpr {
  aggregation: string;
  op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  value: number;
  text: string;
}

export function parseSelector(text: string): MetricSelector | string {
  const m = /^\s*([a-z_][a-z0-9_]*)\s*(?:\{([^}]*)\})?\s*$/i.exec(text);
  if (!m) return `"${text}" is not a metric name (e.g. http_req_duration or http_req_duration{name:api})`;
  const tags: Record<string, string> = {};
  if (m[2] !== undefined) {
    for (const pair of m[2].split(',')) {
      const t = /^\s*([a-z_][a-z0-9_]*)\s*:\s*(.+?)\s*$/i.exec(pair);
      if (!t) return `"${text}": tag filter "${pair}" is not key:value`;
      tags[t[1]!] = t[2]!;
    }
  }
  return { metric: m[1]!, tags, text: text.trim() };
}

export function parseExpr(text: string): ThresholdExpr | string {
  const m =
    /^\s*(avg|min|max|med|count|rate|p\(\s*\d+(?:\.\d+)?\s*\))\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return `"${text}" is not a threshold expression (e.g. p(95)<200, avg<100, rate<0.01, count>10)`;
  return {
    aggregation: m[1]!.replace(/\s+/g, ''),
    op: m[2] as ThresholdExpr['op'],
    value: Number(m[3]),
    text: text.trim(),
  };
}

/** What a threshold may name: metric names, and the values each tag can take. */
export interface MetricCatalog {
  metrics: Record<string, MetricType>;
  tagValues: Record<string, readonly string[] | 'any'>;
}

/** What a profile's thresholds may name: the built-in metrics, and its requests' names and methods. */
export function catalogFor(requests: readonly { name: string; method: string; kind?: string }[]): MetricCatalog {
  return {
    metrics: BUILTIN_METRICS,
    tagValues: { name: [...new Set(requests.map((r) => r.name))], method: [...new Set(requests.map((r) => r.method))] },
  };
}

/** Every problem with a profile's thresholds (empty when all are valid). */
export function validateThresholds(
  thresholds: Record<string, readonly (string | { threshold: string })[]>,
  catalog: MetricCatalog,
): string[] {
  const problems: string[] = [];
  for (const [sel, list] of Object.entries(thresholds)) {
    const s = parseSelector(sel);
    if (typeof s === 'string') {
      problems.push(s);
      continue;
    }
    const type = catalog.metrics[s.metric];
    if (!type) {
      problems.push(
        `threshold on "${s.metric}": no such metric is produced (known: ${Object.keys(catalog.metrics).join(', ')})`,
      );
      continue;
    }
    for (const [k, v] of Object.entries(s.tags)) {
      if (k === 'window') {
        const ms = windowMs(s);
        if (ms === undefined)
          problems.push(
            `threshold "${sel}": window "${v}" is not a whole number of seconds of at least 1 s (e.g. 30s, 1m)`,
          );
        else if (!kindOfMetric(s.metric) && s.metric !== 'dropped_iterations')
          problems.push(
            `threshold "${sel}": ${s.metric} has no per-second data to window (http_*, db_*, redis_* and dropped_iterations do)`,
          );
        continue;
      }
      const allowed = catalog.tagValues[k];
      if (!allowed)
        problems.push(
          `threshold "${sel}": tag "${k}" is never set (tags: ${Object.keys(catalog.tagValues).join(', ')})`,
        );
      else if (allowed !== 'any' && !allowed.includes(v))
        problems.push(`threshold "${sel}": no request has ${k} "${v}" (the profile has ${allowed.join(', ')})`);
    }
    for (const t of list) {
      const text = typeof t === 'string' ? t : t.threshold;
      const e = parseExpr(text);
      if (typeof e === 'string') problems.push(`threshold "${sel}": ${e}`);
      else if (!aggregationsFor[type].test(e.aggregation))
        problems.push(`threshold "${sel}": "${e.aggregation}" does not apply to a ${type} metric`);
    }
  }
  return problems;
}

/**
 * A windowed threshold's window (`http_req_failed{window:1m}`), in ms: judged over every window of
 * that length sliding second by second, not over the whole run. Undefined when there is none or
 * it is not a whole number of seconds ≥ 1 s.
 */
export function windowMs(sel: MetricSelector): number | undefined {
  const w = sel.tags.window;
  if (w === undefined) return undefined;
  const ms = parseDurationMs(w);
  return ms !== undefined && ms >= 1000 && ms % 1000 === 0 ? ms : undefined;
}

/** Whether any threshold is windowed: then the engine keeps per-second data per request name. */
export const hasWindows = (thresholds: Record<string, unknown>) =>
  Object.keys(thresholds).some((k) => {
    const s = parseSelector(k);
    return typeof s !== 'string' && s.tags.window !== undefined;
  });

export function compare(observed: number, e: ThresholdExpr): boolean {
  return holds(observed, e);
}

/**
 * The failure rate a load may have when its profile says nothing about it: below 1 %, the bound
 * k6's documentation writes in its examples (`http_req_failed: ['rate<0.01']`). A deploy that
 * answers at all answers far more than 99 % of requests; 1 % still lets a transient blip (a
 * connection reset, one slow pod restarting) pass, while a failing route, a dead instance behind a
 * balancer or a target that stops answering mid-run fails.
 */
export const DEFAULT_FAILED_THRESHOLD = 'rate<0.01';

/** Each kind of request's failed-rate metric. */
export const FAILED_METRIC_OF_KIND = {
  http: 'http_req_failed',
  postgres: 'db_query_failed',
  redis: 'redis_cmd_failed',
} as const;

/**
 * A profile's thresholds with the default failure threshold added for each kind of request it
 * sends whose *_failed metric it sets no threshold on (a tagged or windowed one counts as set:
 * the user chose). Returns the selectors added, which the verdicts mark as defaults.
 */
export function withDefaultFailureThresholds<T>(
  thresholds: Record<string, T[]>,
  kinds: Iterable<keyof typeof FAILED_METRIC_OF_KIND>,
): { thresholds: Record<string, (T | string)[]>; defaults: string[] } {
  const set = new Set(
    Object.keys(thresholds).map((k) => {
      const s = parseSelector(k);
      return typeof s === 'string' ? k : s.metric;
    }),
  );
  const defaults = [...new Set([...kinds].map((k) => FAILED_METRIC_OF_KIND[k]))].filter((m) => !set.has(m));
  return {
    thresholds: { ...thresholds, ...Object.fromEntries(defaults.map((m) => [m, [DEFAULT_FAILED_THRESHOLD]])) },
    defaults,
  };
}

// Pure: a load result × the profile's thresholds → verdicts, k6's semantics. A metric with no
// samples is no-data, never a pass. Histograms are merged for tag filters, never averaged.
import type { Threshold } from '../config/profile.ts';
import { decode, newHistogram } from '../measure/histogram.ts';
import type { LoadResult, Verdict } from '../record/schema.ts';
import {
  BUILTIN_METRICS,
  compare,
  kindOfMetric,
  parseExpr,
  parseSelector,
  type MetricCatalog,
  type MetricSelector,
} from './threshold.ts';

export function catalogFor(requests: readonly { name: string; method: string; kind?: string }[]): MetricCatalog {
  return {
    metrics: BUILTIN_METRICS,
    tagValues: { name: [...new Set(requests.map((r) => r.name))], method: [...new Set(requests.map((r) => r.method))] },
  };
}

/** What a request's kind is, in a record: absent means HTTP (records before the data tier). */
const kindIn = (b: LoadResult['byName'][string]) => b.kind ?? 'http';

type Observation = { value: number; shown: string } | undefined;

function selected(result: LoadResult, sel: MetricSelector): LoadResult['byName'][string][] {
  const kind = kindOfMetric(sel.metric);
  return Object.entries(result.byName)
    .filter(
      ([name, b]) =>
        (kind === undefined || kindIn(b) === kind) &&
        (sel.tags.name === undefined || sel.tags.name === name) &&
        (sel.tags.method === undefined || sel.tags.method === b.method),
    )
    .map(([, b]) => b);
}

/** A *_failed metric's samples: the failed requests among the selected ones. */
export function failures(result: LoadResult, sel: MetricSelector): { failed: number; total: number } {
  const parts = selected(result, sel);
  return {
    failed: parts.reduce((n, b) => n + b.totals.failed, 0),
    total: parts.reduce((n, b) => n + b.totals.requests, 0),
  };
}

/** The value an aggregation takes on the selected metric, or undefined when there are no samples. */
export function observe(result: LoadResult, sel: MetricSelector, aggregation: string): Observation {
  const seconds = result.durationMs / 1000;
  const counter = (count: number): Observation =>
    aggregation === 'count'
      ? { value: count, shown: `count=${count}` }
      : { value: count / seconds, shown: `rate=${(count / seconds).toFixed(2)}/s` };
  switch (sel.metric) {
    case 'http_req_duration':
    case 'db_query_duration':
    case 'redis_cmd_duration':
    case 'iteration_duration': {
      const h = newHistogram();
      if (sel.metric === 'iteration_duration') h.add(decode(result.iterationDuration.histogram));
      else for (const b of selected(result, sel)) h.add(decode(b.histogram));
      if (h.totalCount === 0) return undefined;
      const ms = (us: number) => us / 1000;
      const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(aggregation);
      const value = p
        ? ms(h.getValueAtPercentile(Number(p[1])))
        : aggregation === 'avg'
          ? ms(h.mean)
          : aggregation === 'min'
            ? ms(h.minNonZeroValue)
            : aggregation === 'max'
              ? ms(h.maxValue)
              : ms(h.getValueAtPercentile(50));
      return { value, shown: `${aggregation}=${round(value)} ms` };
    }
    case 'http_req_failed':
    case 'db_query_failed':
    case 'redis_cmd_failed': {
      const { failed, total } = failures(result, sel);
      if (total === 0) return undefined;
      const rate = failed / total;
      return { value: rate, shown: `rate=${(rate * 100).toFixed(2)}% (${failed}/${total})` };
    }
    case 'http_reqs':
    case 'db_queries':
    case 'redis_cmds':
      return counter(selected(result, sel).reduce((n, b) => n + b.totals.requests, 0));
    case 'iterations':
      return counter(result.totals.iterations);
    case 'dropped_iterations':
      return counter(result.totals.droppedIterations);
    default:
      return undefined;
  }
}

const round = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3));

export function thresholdVerdicts(result: LoadResult, thresholds: Record<string, readonly Threshold[]>): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const [selText, list] of Object.entries(thresholds)) {
    const sel = parseSelector(selText);
    if (typeof sel === 'string') continue; // validated before the run
    for (const t of list) {
      const expr = parseExpr(typeof t === 'string' ? t : t.threshold);
      if (typeof expr === 'string') continue;
      const id = `${sel.text} ${expr.text}`;
      const obs = observe(result, sel, expr.aggregation);
      if (!obs) {
        verdicts.push({
          id,
          source: 'threshold',
          objective: expr.text,
          status: 'no-data',
          detail: `no samples of ${sel.text}`,
        });
        continue;
      }
      verdicts.push({
        id,
        source: 'threshold',
        objective: expr.text,
        status: compare(obs.value, expr) ? 'pass' : 'fail',
        observed: obs.shown,
      });
    }
  }
  return verdicts;
}

/** abortOnFail thresholds failing now, past their delay: the reason to stop, or undefined. */
export function abortReason(
  result: LoadResult,
  thresholds: Record<string, readonly Threshold[]>,
  elapsedMs: number,
): string | undefined {
  for (const [selText, list] of Object.entries(thresholds)) {
    for (const t of list) {
      if (typeof t === 'string' || !t.abortOnFail || elapsedMs < t.delayAbortEval) continue;
      const [v] = thresholdVerdicts(result, { [selText]: [t.threshold] });
      if (v?.status === 'fail') return `threshold ${v.id} failed (${v.observed}) with abortOnFail`;
    }
  }
  return undefined;
}

/** Little's law on a closed-model run: throughput × mean time per iteration ≈ VUs. */
export function littlesLaw(result: LoadResult, vus: number | undefined, tolerance = 0.15): LoadResult['littlesLaw'] {
  const iter = result.iterationDuration.latency;
  if (result.model !== 'closed' || vus === undefined || !iter || result.durationMs <= 0) return undefined;
  const throughput = result.totals.iterations / (result.durationMs / 1000);
  const observed = (throughput * iter.meanMs) / 1000;
  const ratio = observed / vus;
  return { concurrency: vus, observed, ratio, ok: Math.abs(1 - ratio) <= tolerance };
}

// Gauntlet's load in the shapes k6's ecosystem reads:
// - k6-summary.json: the object k6 passes to handleSummary() (metrics with their values, each
//   threshold's `ok`, the root group's checks), so scripts and dashboards that read k6 summaries
//   read Gauntlet's;
// - gl-load-performance-report.json: the `--summary-export` shape GitLab's load-performance
//   merge-request widget compares (checks, http_req_waiting p90/p95, http_reqs rate).
// Every value comes from the run record's exact histograms and counts, through the same
// observe() the thresholds are judged with.
import type { LoadResult, RunRecord } from '../record/schema.ts';
import { failures, observe } from '../slo/thresholds.ts';
import { BUILTIN_METRICS, parseSelector, type MetricType } from '../config/threshold.ts';
import type { Reporter } from './reporter.ts';

const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'] as const;

interface K6Metric {
  type: MetricType | 'gauge';
  contains: 'time' | 'data' | 'default';
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

/** The values of one metric (with its tag filter) as k6 reports them; undefined with no samples. */
function valuesOf(l: LoadResult, selector: string): Record<string, number> | undefined {
  const sel = parseSelector(selector);
  if (typeof sel === 'string') return undefined;
  const type = BUILTIN_METRICS[sel.metric];
  if (type === 'trend') {
    const out: Record<string, number> = {};
    for (const stat of TREND_STATS) {
      const o = observe(l, sel, stat);
      if (!o) return undefined;
      out[stat] = o.value;
    }
    return out;
  }
  if (type === 'rate') {
    // k6's Rate: passes are the non-zero samples — for *_failed, the failed requests.
    const { failed, total } = failures(l, sel);
    return total ? { rate: failed / total, passes: failed, fails: total - failed } : undefined;
  }
  const count = observe(l, sel, 'count');
  const rate = observe(l, sel, 'rate');
  return count && rate ? { count: count.value, rate: rate.value } : undefined;
}

const containsOf = (metric: string): K6Metric['contains'] =>
  /duration/.test(metric) ? 'time' : /^data_/.test(metric) ? 'data' : 'default';

export function k6Summary(r: RunRecord): Record<string, unknown> | undefined {
  const l = r.load;
  if (!l) return undefined;
  const metrics: Record<string, K6Metric> = {};
  const put = (name: string, values: Record<string, number> | undefined, type?: K6Metric['type']) => {
    if (!values) return;
    const base = parseSelector(name);
    const t = type ?? (typeof base === 'string' ? undefined : BUILTIN_METRICS[base.metric]);
    if (t) metrics[name] = { type: t, contains: containsOf(name), values };
  };
  // As k6 does: a protocol's metrics only when the mix has it, dropped_iterations only when some were.
  const kinds = new Set(Object.values(l.byName).map((b) => b.kind ?? 'http'));
  const names = [
    ...(kinds.has('http') ? ['http_reqs', 'http_req_failed', 'http_req_duration'] : []),
    ...(kinds.has('postgres') ? ['db_queries', 'db_query_failed', 'db_query_duration'] : []),
    ...(kinds.has('redis') ? ['redis_cmds', 'redis_cmd_failed', 'redis_cmd_duration'] : []),
    'iterations',
    'iteration_duration',
    ...(l.totals.droppedIterations ? ['dropped_iterations'] : []),
  ];
  for (const name of names) put(name, valuesOf(l, name));
  const seconds = l.durationMs / 1000;
  const vus = l.series.map((s) => s.vus);
  put('vus', { value: vus.at(-1) ?? 0, min: Math.min(...vus, l.totals.maxVus), max: l.totals.maxVus }, 'gauge');
  put('vus_max', { value: l.totals.maxVus, min: l.totals.maxVus, max: l.totals.maxVus }, 'gauge');
  put('data_received', { count: l.totals.bytesIn, rate: l.totals.bytesIn / seconds }, 'counter');
  put('data_sent', { count: l.totals.bytesOut, rate: l.totals.bytesOut / seconds }, 'counter');

  // Thresholds, from the verdicts judged on them: "metric{tags} expr" → metrics[metric{tags}].thresholds[expr].
  for (const v of r.verdicts.filter((x) => x.kind === 'threshold')) {
    const at = v.id.lastIndexOf(` ${v.objective}`);
    const name = at > 0 ? v.id.slice(0, at) : undefined;
    if (!name) continue;
    if (!metrics[name]) put(name, valuesOf(l, name));
    const m = metrics[name];
    if (m) (m.thresholds ??= {})[v.objective] = { ok: v.status === 'pass' };
  }

  const checks = r.checks.map((c) => ({
    name: `${c.suite} › ${c.name}`,
    path: `::${c.suite} › ${c.name}`,
    id: c.name,
    passes: c.status === 'passed' ? 1 : 0,
    fails: c.status === 'passed' ? 0 : 1,
  }));
  if (checks.length) {
    const passes = checks.reduce((n, c) => n + c.passes, 0);
    metrics.checks = {
      type: 'rate',
      contains: 'default',
      values: { rate: passes / checks.length, passes, fails: checks.length - passes },
    };
  }
  return {
    root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks },
    options: { summaryTrendStats: [...TREND_STATS], summaryTimeUnit: '', noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: l.durationMs },
    metrics,
  };
}

/**
 * GitLab's widget reads k6's `--summary-export` shape. It compares TTFB as http_req_waiting;
 * Gauntlet times the whole response (send → last byte), so the figures given there are
 * http_req_duration's — an upper bound of the time to first byte, said in the README.
 */
export function gitlabLoadPerformance(r: RunRecord): Record<string, unknown> | undefined {
  const l = r.load;
  if (!l) return undefined;
  const d = valuesOf(l, 'http_req_duration');
  const reqs = valuesOf(l, 'http_reqs');
  const metrics: Record<string, unknown> = {};
  if (d) metrics.http_req_duration = metrics.http_req_waiting = d;
  if (reqs) metrics.http_reqs = reqs;
  // Checks: every verdict of the run, as the gate's assertions.
  const passes = r.verdicts.filter((v) => v.status === 'pass').length;
  metrics.checks = { passes, fails: r.verdicts.length - passes, value: 0 };
  return {
    metrics,
    root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: {}, checks: {} },
  };
}

/** The file GitLab's `artifacts: reports: load_performance` names (ci/gitlab/). */
export const GITLAB_REPORT = 'gl-load-performance-report.json';

export const k6SummaryReporter: Reporter = {
  name: 'k6-summary',
  render(record) {
    const summary = k6Summary(record);
    const gitlab = gitlabLoadPerformance(record);
    return [
      ...(summary ? [{ path: 'k6-summary.json', content: `${JSON.stringify(summary, null, 2)}\n` }] : []),
      ...(gitlab ? [{ path: GITLAB_REPORT, content: `${JSON.stringify(gitlab, null, 2)}\n` }] : []),
    ];
  },
};

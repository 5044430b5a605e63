// Distributed runs through k6-operator: the bundled script in a ConfigMap, the requests (with
// their tokens) in a Secret, a TestRun (k6.io/v1alpha1) with `parallelism` runners, followed to
// `finished` or `error` (bounded), each runner's end-of-test summary read back from its pod log,
// and everything Gauntlet created removed afterwards unless --keep.
//
// Merging: counts and rates add up exactly across runners; k6's summaries carry percentiles, not
// samples, so a merged percentile is only known to lie between the runners' lowest and highest —
// the result says so (k6.bound) and a latency threshold is judged pass only when every runner's
// value meets it, fail only when none does.
import type { Profile } from '../../../config/profile.ts';
import { scenarioDurationMs } from '../../../config/profile.ts';
import { cannotRun } from '../../../core/errors.ts';
import { formatMs } from '../../../core/duration.ts';
import { newHistogram, encode } from '../../../measure/histogram.ts';
import type { LoadResult } from '../../../record/schema.ts';
import { call, type KubeTarget } from '../../../targets/kube.ts';
import type { LoadRunContext, PreparedRequest } from '../engine.ts';
import { bundle } from './bundle.ts';
import { RUNTIME } from './engine.ts';
import { summaryThresholds, type K6Summary } from './results.ts';
import { parseNativeHistogram, quantileOf, quantileOfAggregation, type NativeHistogram } from './native-histogram.ts';
import { compare, parseExpr } from '../../../config/threshold.ts';
import { SUMMARY_BEGIN, SUMMARY_END } from './runtime.ts';
import { generatedEntry, k6Plan } from './script.ts';
import { sleep } from '../../../core/sleep.ts';

export const GROUP = 'k6.io';
export const VERSION = 'v1alpha1';
export const PLURAL = 'testruns';

export interface OperatorOptions {
  kube: KubeTarget;
  parallelism: number;
  keep: boolean;
  /** Name prefix; the run id makes it unique. */
  name: string;
  /** Bound on the whole TestRun (creation to finished). */
  timeoutMs: number;
  say(line: string): void;
  image?: string;
  /** Runners send their metrics here (k6's remote write, trends as native histograms); Gauntlet reads the merge back. */
  prometheus?: { remoteWriteUrl: string; queryUrl: string } | undefined;
}

export function testRunManifest(
  name: string,
  parallelism: number,
  image?: string,
  remoteWriteUrl?: string,
): Record<string, unknown> {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'TestRun',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'gauntlet' } },
    spec: {
      parallelism,
      script: { configMap: { name, file: 'script.js' } },
      arguments: remoteWriteUrl
        ? `--no-usage-report -o experimental-prometheus-rw --tag testid=${name}`
        : '--no-usage-report',
      // Runners are kept: their logs carry the summaries Gauntlet merges.
      cleanup: '',
      runner: {
        ...(image ? { image } : {}),
        env: [
          { name: 'GAUNTLET_K6_SUMMARY', value: 'stdout' },
          { name: 'GAUNTLET_K6_PLAN', valueFrom: { secretKeyRef: { name, key: 'plan' } } },
          ...(remoteWriteUrl
            ? [
                { name: 'K6_PROMETHEUS_RW_SERVER_URL', value: remoteWriteUrl },
                { name: 'K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM', value: 'true' },
                { name: 'K6_PROMETHEUS_RW_PUSH_INTERVAL', value: '1s' },
              ]
            : []),
        ],
      },
    },
  };
}

/** The summary a runner printed between Gauntlet's markers, if any. */
export function summaryFromLog(log: string): K6Summary | undefined {
  const i = log.lastIndexOf(SUMMARY_BEGIN);
  if (i < 0) return undefined;
  const j = log.indexOf(SUMMARY_END, i);
  if (j < 0) return undefined;
  return JSON.parse(log.slice(i + SUMMARY_BEGIN.length, j)) as K6Summary;
}

/** Runners' summaries → one: counters add, rates re-weight, trends become [min, max] bounds. */
export function mergeSummaries(
  parts: K6Summary[],
  /** Percentiles of a metric known from the merged distribution, as [lower, upper] and a value. */
  exact?: Record<string, (agg: string) => { value: number; lower: number; upper: number } | undefined>,
): {
  merged: K6Summary;
  bounds: Record<string, Record<string, [number, number]>>;
} {
  const merged: K6Summary = {
    metrics: {},
    state: { testRunDurationMs: Math.max(0, ...parts.map((p) => p.state?.testRunDurationMs ?? 0)) },
  };
  const bounds: Record<string, Record<string, [number, number]>> = {};
  const names = new Set(parts.flatMap((p) => Object.keys(p.metrics)));
  for (const name of names) {
    const ms = parts.map((p) => p.metrics[name]).filter((m) => m !== undefined);
    const first = ms[0]!;
    const values: Record<string, number> = {};
    if (first.type === 'counter') {
      values.count = ms.reduce((n, m) => n + (m.values.count ?? 0), 0);
      values.rate = ms.reduce((n, m) => n + (m.values.rate ?? 0), 0);
    } else if (first.type === 'rate') {
      const passes = ms.reduce((n, m) => n + (m.values.passes ?? 0), 0);
      const fails = ms.reduce((n, m) => n + (m.values.fails ?? 0), 0);
      values.passes = passes;
      values.fails = fails;
      values.rate = passes + fails ? passes / (passes + fails) : 0;
    } else if (first.type === 'gauge') {
      values.value = ms.reduce((n, m) => n + (m.values.value ?? 0), 0);
      values.min = Math.min(...ms.map((m) => m.values.min ?? Infinity));
      values.max = ms.reduce((n, m) => n + (m.values.max ?? 0), 0);
    } else {
      bounds[name] = {};
      for (const k of Object.keys(first.values)) {
        const xs = ms.map((m) => m.values[k]).filter((v): v is number => v !== undefined);
        const known = exact?.[name]?.(k);
        if (k === 'min') values.min = Math.min(...xs);
        else if (k === 'max') values.max = Math.max(...xs);
        else if (known) {
          bounds[name]![k] = [known.lower, known.upper];
          values[k] = known.value;
        } else {
          bounds[name]![k] = [Math.min(...xs), Math.max(...xs)];
          values[k] = Math.max(...xs); // the conservative end for "less than" objectives
        }
      }
    }
    // A percentile from a bucket cannot lie outside the observed extremes: clamp to them.
    if (exact?.[name] && bounds[name] && values.min !== undefined && values.max !== undefined) {
      const [lo, hi] = [values.min, values.max];
      for (const [k, r] of Object.entries(bounds[name]!)) {
        bounds[name]![k] = [Math.min(Math.max(r[0], lo), hi), Math.min(Math.max(r[1], lo), hi)];
        values[k] = Math.min(Math.max(values[k]!, lo), hi);
      }
    }
    // Thresholds re-judged on the merged values (a per-runner count says nothing about the total);

    // a percentile only known as a [lowest, highest] bound passes when both ends meet it.
    const thresholds: Record<string, { ok: boolean }> = {};
    for (const text of Object.keys(first.thresholds ?? {})) {
      const e = parseExpr(text);
      if (typeof e === 'string') continue;
      const agg = e.aggregation === 'med' ? 'med' : e.aggregation;
      const range = bounds[name]?.[agg];
      const v = values[agg];
      thresholds[text] = {
        ok: range ? compare(range[0], e) && compare(range[1], e) : v !== undefined && compare(v, e),
      };
    }
    merged.metrics[name] = {
      type: first.type,
      ...(first.contains ? { contains: first.contains } : {}),
      values,
      ...(first.thresholds ? { thresholds } : {}),
    };
  }
  return { merged, bounds };
}

/** The LoadResult of merged runners: exact counts, no histograms (summaries carry none), latency as the upper bound. */
export function operatorResult(
  profile: Profile,
  merged: K6Summary,
  bounds: Record<string, Record<string, [number, number]>>,
  runners: number,
  startedAtMs: number,
  version: string,
  error?: string,
  /** How the trend percentiles were merged, when not from the runners' summaries. */
  mergedBy?: string,
): LoadResult {
  const m = merged.metrics;
  const requests = m.http_reqs?.values.count ?? 0;
  const failed = m.http_req_failed?.values.passes ?? 0; // k6's http_req_failed "passes" are failed requests
  const d = m.http_req_duration?.values;
  const b = bounds.http_req_duration ?? {};
  const latency =
    d && requests
      ? {
          count: requests,
          minMs: d.min ?? 0,
          meanMs: d.avg ?? 0,
          p50Ms: d.med ?? 0,
          p90Ms: d['p(90)'] ?? 0,
          p95Ms: d['p(95)'] ?? 0,
          p99Ms: d['p(99)'] ?? d.max ?? 0,
          p999Ms: d['p(99.9)'] ?? d.max ?? 0,
          maxMs: d.max ?? 0,
        }
      : undefined;
  const empty = encode(newHistogram());
  const durationMs = merged.state?.testRunDurationMs || scenarioDurationMs(profile.scenario);
  const range = (k: string) => (b[k] ? `${formatMs(b[k]![0])}–${formatMs(b[k]![1])}` : '');
  return {
    engine: 'k6-operator',
    profile: profile.name,
    executor: profile.scenario.executor,
    model: profile.scenario.executor.endsWith('arrival-rate') ? 'open' : 'closed',
    workers: runners,
    startedAtMs,
    durationMs,
    scheduledMs: scenarioDurationMs(profile.scenario),
    totals: {
      requests,
      failed,
      errors: failed ? { failed } : {},
      statuses: requests - failed > 0 ? { '200–399': requests - failed } : {},
      bytesIn: m.data_received?.values.count ?? 0,
      bytesOut: m.data_sent?.values.count ?? 0,
      iterations: m.iterations?.values.count ?? 0,
      droppedIterations: m.dropped_iterations?.values.count ?? 0,
      interruptedIterations: 0,
      maxVus: m.vus_max?.values.max ?? 0,
    },
    all: { histogram: empty, ...(latency ? { latency } : {}) },
    byName: {},
    iterationDuration: { histogram: empty },
    series: [],
    k6: {
      version,
      exitCode: error ? -1 : summaryThresholds(merged).every((t) => t.ok) ? 0 : 99,
      ...(error ? { error } : {}),
      thresholds: summaryThresholds(merged),
      metrics: Object.fromEntries(
        Object.entries(merged.metrics).map(([k, v]) => [
          k,
          { type: v.type, ...(v.contains ? { contains: v.contains } : {}), values: v.values },
        ]),
      ),
      runners,
      bound: mergedBy
        ? `merged from ${runners} runners: counts and rates exact from their summaries; ${mergedBy} (p95 in ${b['p(95)'] ? `${b['p(95)'][0].toFixed(3)}–${b['p(95)'][1].toFixed(3)} ms` : 'no bucket'}); a threshold on a percentile passes only when its whole bucket meets it; k6 summaries carry no per-status counts, so statuses show one class, "200–399", for the requests k6 did not mark failed`
        : `merged from ${runners} runner summaries: counts and rates are exact; each percentile is the highest runner's (the merged value lies in ${range('p(95)') || 'the runners’ range'} for p95) — a bound, not exact; k6 summaries carry no per-status counts, so statuses show one class, "200–399", for the requests k6 did not mark failed`,
    },
  };
}

/** Create, follow, collect, clean up. */
export async function runOnOperator(
  profile: Profile,
  target: { baseUrl: string; requests: PreparedRequest[] },
  ctx: LoadRunContext,
  o: OperatorOptions,
): Promise<LoadResult> {
  const { kube: t } = o;
  const ns = t.namespace;
  const { code } = await bundle(
    { contents: generatedEntry(profile, RUNTIME), resolveDir: process.cwd(), name: `${profile.name}.k6.js` },
    process.cwd(),
  );
  const created: { kind: string; del(): Promise<unknown> }[] = [];
  const startedAtMs = ctx.clock.now();
  const cleanup = async () => {
    if (o.keep) {
      o.say(`  k6-operator: kept ConfigMap, Secret and TestRun ${o.name} in ${ns} (--keep)`);
      return;
    }
    for (const c of created.reverse()) await c.del().catch(() => {});
    if (created.length) o.say(`  k6-operator: removed ${created.map((c) => c.kind).join(', ')} ${o.name}`);
  };
  try {
    await call({ verb: 'create', resource: 'configmaps', namespace: ns }, () =>
      t.core.createNamespacedConfigMap({
        namespace: ns,
        body: {
          metadata: { name: o.name, labels: { 'app.kubernetes.io/managed-by': 'gauntlet' } },
          data: { 'script.js': code },
        },
      }),
    );
    created.push({ kind: 'ConfigMap', del: () => t.core.deleteNamespacedConfigMap({ name: o.name, namespace: ns }) });
    await call({ verb: 'create', resource: 'secrets', namespace: ns }, () =>
      t.core.createNamespacedSecret({
        namespace: ns,
        body: {
          metadata: { name: o.name, labels: { 'app.kubernetes.io/managed-by': 'gauntlet' } },
          stringData: { plan: JSON.stringify(k6Plan(profile, target.baseUrl, target.requests)) },
        },
      }),
    );
    created.push({ kind: 'Secret', del: () => t.core.deleteNamespacedSecret({ name: o.name, namespace: ns }) });
    await call({ verb: 'create', resource: 'testruns.k6.io', namespace: ns }, () =>
      t.custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: ns,
        plural: PLURAL,
        body: testRunManifest(o.name, o.parallelism, o.image, o.prometheus?.remoteWriteUrl),
      }),
    );
    created.push({
      kind: 'TestRun',
      del: () =>
        t.custom.deleteNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: PLURAL,
          name: o.name,
        }),
    });
    o.say(`  k6-operator: TestRun ${o.name} created in ${t.context}/${ns} with parallelism ${o.parallelism}`);

    // Follow the stage, bounded.
    const deadline = Date.now() + o.timeoutMs;
    let stage = '';
    for (;;) {
      if (ctx.signal.aborted) throw cannotRun(`interrupted while the TestRun was at stage "${stage || 'none'}"`);
      const tr = (await call({ verb: 'get', resource: 'testruns.k6.io', namespace: ns }, () =>
        t.custom.getNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: PLURAL,
          name: o.name,
        }),
      )) as { status?: { stage?: string } };
      const now = tr.status?.stage ?? '';
      if (now !== stage) {
        o.say(`  k6-operator: stage ${now || '(none yet)'}`);
        stage = now;
      }
      if (now === 'finished' || now === 'error') break;
      if (Date.now() > deadline)
        throw cannotRun(
          `the TestRun stayed at stage "${stage || 'none'}" past its ${formatMs(o.timeoutMs)} limit (is k6-operator running in the cluster?)`,
        );
      await sleep(500);
    }

    // Collect each runner's summary from its log.
    const pods = (
      await call({ verb: 'list', resource: 'pods', namespace: ns }, () =>
        t.core.listNamespacedPod({ namespace: ns, labelSelector: `k6_cr=${o.name},runner=true` }),
      )
    ).items;
    const parts: K6Summary[] = [];
    const missing: string[] = [];
    for (const p of pods) {
      const name = p.metadata!.name!;
      try {
        const log = await t.core.readNamespacedPodLog({ name, namespace: ns });
        const s = summaryFromLog(String(log));
        if (s) parts.push(s);
        else missing.push(`${name}: no summary in its log`);
      } catch (err) {
        const code = (err as { code?: number }).code;
        missing.push(
          `${name}: ${code ? `its log could not be read (the API answered ${code})` : (err as Error).message.split('\n')[0]}`,
        );
      }
    }
    const error =
      stage === 'error'
        ? 'the TestRun ended in stage "error"'
        : missing.length
          ? `collected ${parts.length} of ${pods.length} runners’ results — ${missing.join('; ')}`
          : pods.length === 0
            ? 'no runner pods were found'
            : undefined;
    if (!parts.length) throw cannotRun(`k6-operator: ${error ?? 'no runner results'}`);
    const first = mergeSummaries(parts);
    // With Prometheus: the runners' latency histograms, merged there, in place of per-runner bounds.
    const native = o.prometheus
      ? await mergedDuration(o.prometheus.queryUrl, o.name, first.merged.metrics.http_reqs?.values.count ?? 0, o.say)
      : undefined;
    const { merged, bounds } = native
      ? mergeSummaries(parts, { http_req_duration: (agg) => native.quantile(agg) })
      : first;
    if (native && merged.metrics.http_req_duration)
      merged.metrics.http_req_duration.values.avg = native.histogram.count
        ? (native.histogram.sum / native.histogram.count) * 1000
        : 0;
    return operatorResult(
      profile,
      merged,
      bounds,
      parts.length,
      startedAtMs,
      'k6-operator runners',
      error,
      native?.how,
    );
  } finally {
    await cleanup();
  }
}

/**
 * The runners' http_req_duration as one native histogram, read back from Prometheus once it holds
 * every request the runners counted (remote write lags by a push interval or two). Undefined, and
 * said, when it never does: the summaries' bounds are then the result.
 */
async function mergedDuration(
  queryUrl: string,
  testid: string,
  requests: number,
  say: (line: string) => void,
): Promise<
  | {
      histogram: NativeHistogram;
      quantile(agg: string): { value: number; lower: number; upper: number } | undefined;
      how: string;
    }
  | undefined
> {
  const query = `sum(k6_http_req_duration_seconds{testid="${testid}"})`;
  const deadline = Date.now() + 20_000;
  let seen = 0;
  for (;;) {
    try {
      const res = await fetch(`${queryUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`, {
        signal: AbortSignal.timeout(5000),
      });
      const body = (await res.json()) as {
        data?: { result?: { histogram?: [number, Parameters<typeof parseNativeHistogram>[0]] }[] };
      };
      const h = body.data?.result?.[0]?.histogram?.[1];
      if (h) {
        const histogram = parseNativeHistogram(h);
        seen = histogram.count;
        if (histogram.count >= requests && requests > 0) {
          const widest = Math.max(...histogram.buckets.map((b) => (b.lower > 0 ? b.upper / b.lower - 1 : 0)));
          return {
            histogram,
            quantile: (agg) => {
              const q = quantileOfAggregation(agg);
              const r = q === undefined ? undefined : quantileOf(histogram, q);
              return r && { value: r.value * 1000, lower: r.lower * 1000, upper: r.upper * 1000 };
            },
            how: `percentiles from the runners' native histograms merged in Prometheus (${histogram.count} samples; each known to within its bucket, at most ${(widest * 100).toFixed(2)} % wide)`,
          };
        }
      }
    } catch {
      /* not yet, or Prometheus unreachable: retried until the deadline */
    }
    if (Date.now() > deadline) {
      say(
        `  k6-operator: Prometheus held ${seen} of the runners' ${requests} http_req_duration samples after 20 s; percentiles are the runners' bounds`,
      );
      return undefined;
    }
    await sleep(500);
  }
}

// The run and the Prometheus stack: SLOs measured by the environment's Prometheus over the run's
// window (queries checked before the run, judged after it), the run's key figures pushed to the
// Pushgateway, fault injections and recoveries written as Grafana annotations. A failed push or
// annotation never changes a verdict; it is reported apart, in the record's delivery list.
import { faultSeries, pushOnce } from '../targets/remote-write.ts';
import type { Config, Environment } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { configError } from '../core/errors.ts';
import { formatMs } from '../core/duration.ts';
import type { Delivery, PromSlo, RunRecord, Verdict } from '../record/schema.ts';
import { promSloUnasked, promSloVerdict } from '../slo/promql.ts';
import { annotate, metricLine, pushGroup, rangeQuery, validateQueries } from '../targets/prometheus.ts';
import { sleep } from '../core/sleep.ts';

type PromSloSpec = Config['slos']['prometheus'][number];

/** Before the run: the environment names a Prometheus and it accepts every query. */
export async function checkPromSlos(env: Environment, slos: PromSloSpec[]): Promise<void> {
  if (!slos.length) return;
  if (!env.prometheus) throw configError('slos.prometheus needs the environment’s prometheus.url');
  await validateQueries(env.prometheus.url, slos);
}

/** After the run: a range query over its window per SLO, judged on the aggregate of each series. */
export async function judgePromSlos(
  env: Environment,
  slos: PromSloSpec[],
  clock: Clock,
  fromMs: number,
  toMs: number,
): Promise<{ results: PromSlo[]; verdicts: Verdict[] }> {
  const results: PromSlo[] = [];
  const verdicts: Verdict[] = [];
  const wallStart = Date.parse(clock.startedAt);
  const startS = (wallStart + fromMs) / 1000;
  for (const slo of slos) {
    const stepS = Math.max(1, slo.step / 1000);
    // The last scrape may lag the end of the run: wait (bounded) until the window is covered.
    const endS = (wallStart + toMs) / 1000;
    try {
      let series = await rangeQuery(env.prometheus!.url, slo.query, startS, endS, stepS);
      for (let i = 0; i < 10 && !series.some((s) => s.points.some(([t]) => t >= endS - stepS)); i++) {
        await sleep(500);
        series = await rangeQuery(env.prometheus!.url, slo.query, startS, endS, stepS);
      }
      const toRun = (t: number) => Math.round(t * 1000 - wallStart);
      const kept = series
        .map((s) => ({
          labels: s.labels,
          points: s.points.filter(([, v]) => Number.isFinite(v)).map(([t, v]) => [toRun(t), v] as [number, number]),
        }))
        .filter((s) => s.points.length);
      results.push({
        name: slo.name,
        query: slo.query,
        objective: slo.objective,
        aggregate: slo.aggregate,
        stepMs: stepS * 1000,
        series: kept,
      });
      verdicts.push(promSloVerdict(slo, kept, stepS * 1000, toMs - fromMs));
    } catch (err) {
      results.push({
        name: slo.name,
        query: slo.query,
        objective: slo.objective,
        aggregate: slo.aggregate,
        stepMs: stepS * 1000,
        series: [],
      });
      verdicts.push(promSloUnasked(slo, (err as Error).message));
    }
  }
  return { results, verdicts };
}

/** The run's key figures in Prometheus's text format, for the Pushgateway. */
export function figures(r: RunRecord): string {
  const lines: string[] = [];
  const add = (name: string, help: string, samples: [Record<string, string>, number][]) => {
    if (!samples.length) return;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples.map(([l, v]) => metricLine(name, l, v)));
  };
  add('gauntlet_run_passed', '1 when every verdict passed', [[{ run_id: r.runId }, r.status === 'passed' ? 1 : 0]]);
  add('gauntlet_run_timestamp_seconds', 'When the run started', [[{}, Date.parse(r.startedAt) / 1000]]);
  add('gauntlet_run_duration_seconds', 'How long the run took', [[{}, r.durationMs / 1000]]);
  add(
    'gauntlet_verdict_passed',
    '1 when the verdict passed, 0 when it failed or had no data',
    r.verdicts.map((v) => [{ verdict: v.id, status: v.status }, v.status === 'pass' ? 1 : 0]),
  );
  const l = r.load;
  if (l) {
    const lat = l.all.latency;
    if (lat)
      add('gauntlet_http_req_duration_seconds', 'Request latency percentiles of the run (HDR histogram)', [
        [{ quantile: '0.5' }, lat.p50Ms / 1000],
        [{ quantile: '0.95' }, lat.p95Ms / 1000],
        [{ quantile: '0.99' }, lat.p99Ms / 1000],
      ]);
    add('gauntlet_http_reqs_total', 'Requests sent', [[{}, l.totals.requests]]);
    add('gauntlet_http_req_failed_ratio', 'Failed requests / requests', [
      [{}, l.totals.requests ? l.totals.failed / l.totals.requests : 0],
    ]);
    add('gauntlet_http_reqs_per_second', 'Throughput over the run', [
      [{}, l.totals.requests / Math.max(0.001, l.durationMs / 1000)],
    ]);
  }
  if (r.capacity)
    add('gauntlet_capacity_rps', 'Highest sustainable arrival rate found', [
      [{ profile: r.capacity.profile }, r.capacity.sustainableRps],
    ]);
  const rto: [Record<string, string>, number][] = [];
  const rpo: [Record<string, string>, number][] = [];
  const uptime: [Record<string, string>, number][] = [];
  for (const c of r.chaos ?? []) {
    for (const f of c.faults) {
      if (f.rtoMs !== undefined) rto.push([{ experiment: c.experiment, fault: `${f.id} ${f.label}` }, f.rtoMs / 1000]);
      if (f.restore?.rpoMs !== undefined)
        rpo.push([{ experiment: c.experiment, fault: `${f.id} ${f.label}` }, f.restore.rpoMs / 1000]);
    }
    if (c.ledger)
      rpo.push([{ experiment: c.experiment, fault: 'ledger' }, c.ledger.lost.length ? c.ledger.lostSpanMs / 1000 : 0]);
    for (const p of c.probes)
      if (p.kind === 'http' && p.total) uptime.push([{ experiment: c.experiment, probe: p.name }, p.ok / p.total]);
  }
  add('gauntlet_rto_seconds', 'Recovery time measured per fault', rto);
  add('gauntlet_rpo_seconds', 'Data loss window measured (lost writes’ span, or a restored copy’s age)', rpo);
  add('gauntlet_uptime_ratio', 'Healthy probe samples / samples in the window', uptime);
  return `${lines.join('\n')}\n`;
}

type Endpoint = { url: string; headers?: Record<string, string> | undefined };

/** After the record is written: the Pushgateway and Grafana, each bounded; failures are reported, never fatal. */
export async function deliver(
  env: Environment,
  r: RunRecord,
  outputs: { remoteWrite?: Endpoint | undefined; otlp?: Endpoint | undefined } = {},
): Promise<Delivery[]> {
  const out: Delivery[] = [];
  const faults = faultSeries(r);
  const line = (to: string, p: Promise<string>) =>
    p.then(
      (detail) => ({ to, ok: true, detail }),
      (err: unknown) => ({ to, ok: false, detail: (err as Error).message }),
    );
  if (outputs.remoteWrite && faults.length)
    out.push(await line('prometheus remote write', pushOnce(outputs.remoteWrite, faults)));
  if (outputs.otlp && faults.length) {
    // Loaded only when configured: the OpenTelemetry SDK takes ~250 ms to import.
    const { exportMetrics, faultMetrics } = await import('../targets/otlp.ts');
    out.push(
      await line(
        'otlp',
        exportMetrics(outputs.otlp, faultMetrics(r)).then(() => `${faults.length} fault series written`),
      ),
    );
  }
  if (env.pushgateway) {
    const grouping = { environment: r.environment.name, command: r.command, engine: r.load?.engine ?? 'none' };
    try {
      await pushGroup(env.pushgateway.url, env.pushgateway.job, grouping, figures(r));
      out.push({
        to: 'pushgateway',
        ok: true,
        detail: `pushed to ${env.pushgateway.url} as job=${env.pushgateway.job} ${Object.entries(grouping)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      });
    } catch (err) {
      out.push({ to: 'pushgateway', ok: false, detail: (err as Error).message });
    }
  }
  if (env.grafana) {
    const wallStart = Date.parse(r.startedAt);
    let n = 0;
    try {
      for (const c of r.chaos ?? []) {
        for (const f of c.faults) {
          if (f.injectedAtMs === undefined) continue;
          await annotate(env.grafana.url, env.grafana.token, {
            time: Math.round(wallStart + f.injectedAtMs),
            ...(f.recoveredAtMs !== undefined ? { timeEnd: Math.round(wallStart + f.recoveredAtMs) } : {}),
            tags: ['gauntlet', r.command, r.environment.name, r.runId],
            text: `${c.experiment}: ${f.label} injected (${f.target})${f.rtoMs !== undefined ? `; recovered in ${formatMs(f.rtoMs)}` : '; not recovered'}`,
          });
          n++;
        }
      }
      out.push({ to: 'grafana', ok: true, detail: `${n} annotation${n === 1 ? '' : 's'} written` });
    } catch (err) {
      out.push({ to: 'grafana', ok: false, detail: `${n} annotation(s) written, then: ${(err as Error).message}` });
    }
  }
  return out;
}

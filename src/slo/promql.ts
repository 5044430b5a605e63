// Pure: a PromQL SLO judged on what Prometheus returned over the run's window — each series'
// points aggregated (max, min, avg or last), every series held to the objective, the worst one
// named. No series with a number in the window is no-data, never a pass.
import { holds, parseNumericComparison } from '../core/comparison.ts';
import { formatMs } from '../core/duration.ts';
import type { Config } from '../config/schema.ts';
import type { Verdict } from '../record/schema.ts';
import { errored, measured, noData } from './verdict.ts';

type PromSloSpec = Pick<Config['slos']['prometheus'][number], 'name' | 'query' | 'objective' | 'aggregate'>;
export interface PromSeries {
  labels: Record<string, string>;
  /** [ms on the run clock, value], finite values only. */
  points: [number, number][];
}

export function aggregate(values: number[], how: PromSloSpec['aggregate']): number {
  if (how === 'last') return values.at(-1)!;
  if (how === 'min') return Math.min(...values);
  if (how === 'avg') return values.reduce((a, b) => a + b, 0) / values.length;
  return Math.max(...values);
}

const base = (slo: PromSloSpec) =>
  ({
    id: `prometheus ${slo.name}`,
    kind: 'prometheus',
    objective: `${slo.aggregate} of ${slo.query} ${slo.objective}`,
  }) as const;

const round = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(3));

const label = (l: Record<string, string>) =>
  Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');

export function promSloVerdict(slo: PromSloSpec, series: PromSeries[], stepMs: number, windowMs: number): Verdict {
  if (!series.length) return noData(base(slo), 'the query returned no series with a number in the run’s window');
  const c = parseNumericComparison(slo.objective);
  if (!c) return errored(base(slo), `the objective "${slo.objective}" is not a comparison`);
  const judged = series.map((s) => ({
    s,
    v: aggregate(
      s.points.map(([, v]) => v),
      slo.aggregate,
    ),
  }));
  const worst = judged.find((j) => !holds(j.v, c)) ?? judged[0]!;
  const points = series.reduce((n, s) => n + s.points.length, 0);
  return measured(base(slo), {
    value: worst.v,
    unit: 'number',
    bound: c,
    evidence: { samples: points, coveredMs: windowMs, from: `Prometheus, ${series.length} series` },
    observed: `${slo.aggregate}=${round(worst.v)}${series.length > 1 ? ` (series {${label(worst.s.labels)}}, ${series.length} series)` : ''}`,
    detail: `Prometheus, ${points} points every ${formatMs(stepMs)} over ${formatMs(windowMs)}`,
  });
}

/** Prometheus could not be asked: nothing was measured. */
export function promSloUnasked(slo: PromSloSpec, why: string): Verdict {
  return noData(base(slo), `Prometheus could not be asked: ${why}`);
}

// Pure: a capacity search judged — a sustainable rate found under the profile's objectives (none
// found, or the generator the limit, is not a pass; no step run is no-data) and, with earlier
// runs, the rate against the median of the last ones within the tolerance.
import type { CapacitySearch, Threshold } from '../config/profile.ts';
import { BUILTIN_METRICS, parseSelector } from '../config/threshold.ts';
import type { CapacityResult, LoadResult, Verdict } from '../record/schema.ts';
import { generatorSaturated, generatorVerdict, generatorLagBoundMs } from './generator.ts';
import { answered } from './load.ts';
import { thresholdVerdicts, type Judging } from './thresholds.ts';
import { decided, failed, measured, noData } from './verdict.ts';

/** What made a step bad: the search's limiting factor when it is the first bad step. */
export type StepFactor =
  'latency' | 'errors' | 'throughput' | 'dropped iterations' | 'target stopped answering' | 'generator';

export interface StepJudgement {
  /** good: every verdict passed, with samples behind it; bad: one did not; inconclusive: the generator fell behind. */
  outcome: 'good' | 'bad' | 'inconclusive';
  why?: string;
  factors: StepFactor[];
  /** The target answered nothing at all (a network failure for every request): nothing more to learn. */
  targetGone: boolean;
  verdicts: Verdict[];
}

const factorOf = (metric: string): StepFactor => {
  if (metric === 'dropped_iterations') return 'dropped iterations';
  const type = BUILTIN_METRICS[metric];
  return type === 'trend' ? 'latency' : type === 'rate' ? 'errors' : 'throughput';
};

/**
 * One capacity step judged: the profile's thresholds (the default failure rate among them) on the
 * step's load, every scheduled arrival sent (a dropped arrival — no free connection — means the
 * target did not take the rate: the step is not good, whatever the thresholds allow), and at least
 * one answer. Good only when every one of those passes with samples behind it; inconclusive when
 * the generator, not the target, fell behind its schedule. Works for any kind of request (HTTP,
 * SQL, Redis): an answer is an HTTP status or a database's reply.
 */
export function judgeStep(
  load: LoadResult,
  thresholds: Record<string, readonly Threshold[]>,
  judging: Judging = {},
): StepJudgement {
  const targetGone = load.totals.requests > 0 && answered(load) === 0;
  if (generatorSaturated(load, thresholds)) {
    const lag = generatorVerdict(load, thresholds);
    return {
      outcome: 'inconclusive',
      why: `the generator fell behind its schedule (${lag?.observed ?? 'send lag unknown'}; bound ${generatorLagBoundMs(load, thresholds)} ms)`,
      factors: ['generator'],
      targetGone,
      verdicts: lag ? [lag] : [],
    };
  }
  const judged: { verdict: Verdict; factor: StepFactor }[] = [];
  for (const [sel, list] of Object.entries(thresholds)) {
    const s = parseSelector(sel);
    if (typeof s === 'string') continue;
    for (const verdict of thresholdVerdicts(load, { [sel]: list }, judging))
      judged.push({ verdict, factor: factorOf(s.metric) });
  }
  const dropped = load.totals.droppedIterations;
  const offered = load.totals.requests + dropped;
  judged.push({
    factor: 'dropped iterations',
    verdict: measured(
      { id: 'dropped_iterations', kind: 'dropped', objective: 'every scheduled arrival was sent' },
      {
        value: dropped,
        unit: 'count',
        bound: { op: '==', value: 0 },
        evidence: { samples: offered, coveredMs: load.durationMs, from: 'every scheduled arrival' },
        observed: `dropped_iterations ${dropped} of ${offered}`,
      },
    ),
  });
  judged.push({
    factor: 'target stopped answering',
    verdict: decided(
      { id: 'load', kind: 'load', objective: 'the target answered' },
      !targetGone,
      { samples: load.totals.requests, coveredMs: load.durationMs, from: 'every request of the step' },
      { observed: targetGone ? 'no response at all' : `${answered(load)} of ${load.totals.requests} answered` },
    ),
  });
  const bad = judged.filter((j) => j.verdict.status !== 'pass');
  const verdicts = judged.map((j) => j.verdict);
  if (!bad.length) return { outcome: 'good', factors: [], targetGone, verdicts };
  // The target gone says it all; otherwise every failing verdict, in the profile's order.
  const shown = targetGone ? bad.filter((j) => j.factor === 'target stopped answering') : bad;
  return {
    outcome: 'bad',
    why: shown
      .map(({ verdict: v }) =>
        v.id === 'load' || v.id === 'dropped_iterations'
          ? (v.observed ?? v.status)
          : `${v.id}${v.observed ? ` ${v.observed}` : ` ${v.status}`}`,
      )
      .join('; '),
    factors: [...new Set(shown.map((j) => j.factor))],
    targetGone,
    verdicts,
  };
}

/** Why the search ended where it did: the first bad step's factors, or why it stopped. */
export function limitingFactor(badFactors: readonly StepFactor[] | undefined, stop: string): string {
  if (stop === 'generator') return 'generator';
  if (stop === 'target stopped answering') return 'target stopped answering';
  if (!badFactors) return stop;
  if (badFactors.includes('target stopped answering')) return 'target stopped answering';
  return badFactors.length ? badFactors.join(' and ') : 'thresholds';
}

export const rps = (r: number) => `${r.toLocaleString('en-US').replace(/,/g, ' ')} req/s`;

export function capacityVerdicts(cap: CapacityResult, c: Pick<CapacitySearch, 'tolerance'>): Verdict[] {
  const base = {
    id: 'capacity',
    kind: 'capacity',
    objective: `a sustainable rate under ${cap.objectives.join(', ')}`,
  } as const;
  const verdicts: Verdict[] = [];
  const evidence = {
    samples: cap.steps.reduce((n, s) => n + s.requests, 0),
    coveredMs: cap.steps.reduce((n, s) => n + s.durationMs, 0),
    from: `${cap.steps.length} step${cap.steps.length === 1 ? '' : 's'} of load`,
  };
  if (cap.steps.length === 0) verdicts.push(noData(base, cap.statement));
  else if (cap.limitedBy === 'generator')
    verdicts.push(
      failed(base, {
        evidence,
        observed: cap.statement,
        detail: 'the generator, not the target, was the limit: this is not the target’s capacity',
      }),
    );
  else
    verdicts.push(
      measured(base, {
        value: cap.sustainableRps,
        unit: 'req/s',
        bound: { op: '>', value: 0 },
        evidence,
        observed: cap.statement,
      }),
    );
  if (cap.trend.length > 0 && cap.steps.length > 0 && cap.limitedBy !== 'generator') {
    const sorted = cap.trend.map((t) => t.sustainableRps).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    const floor = median * (1 - c.tolerance);
    const change = median > 0 ? (cap.sustainableRps - median) / median : 0;
    verdicts.push(
      measured(
        {
          id: 'capacity trend',
          kind: 'capacity-trend',
          objective: `capacity ≥ ${(100 - c.tolerance * 100).toFixed(0)}% of the median of the last ${cap.trend.length} run(s) (${rps(median)}), i.e. ≥ ${rps(Math.round(floor))}`,
        },
        {
          value: cap.sustainableRps,
          unit: 'req/s',
          bound: { op: '>=', value: floor },
          evidence: { ...evidence, from: `this run's steps and ${cap.trend.length} earlier run(s)` },
          observed: `${rps(cap.sustainableRps)} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%)`,
        },
      ),
    );
  }
  return verdicts;
}

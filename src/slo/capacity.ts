// Pure: a capacity search judged — a sustainable rate found under the profile's objectives (none
// found, or the generator the limit, is not a pass; no step run is no-data) and, with earlier
// runs, the rate against the median of the last ones within the tolerance.
import type { CapacitySearch } from '../config/profile.ts';
import type { CapacityResult, Verdict } from '../record/schema.ts';
import { failed, measured, noData } from './verdict.ts';

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

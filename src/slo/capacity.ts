// Pure: a capacity search judged — a sustainable rate found under the profile's objectives (none
// found, or the generator the limit, is not a pass; no step run is no-data) and, with earlier
// runs, the rate against the median of the last ones within the tolerance.
import type { CapacitySearch } from '../config/profile.ts';
import type { CapacityResult, Verdict } from '../record/schema.ts';

export const rps = (r: number) => `${r.toLocaleString('en-US').replace(/,/g, ' ')} req/s`;

export function capacityVerdicts(cap: CapacityResult, c: Pick<CapacitySearch, 'tolerance'>): Verdict[] {
  const base = {
    id: 'capacity',
    source: 'slo',
    objective: `a sustainable rate under ${cap.objectives.join(', ')}`,
  } as const;
  const verdicts: Verdict[] = [];
  if (cap.steps.length === 0) verdicts.push({ ...base, status: 'no-data', detail: cap.statement });
  else if (cap.limitedBy === 'generator')
    verdicts.push({
      ...base,
      status: 'fail',
      observed: cap.statement,
      detail: 'the generator, not the target, was the limit: this is not the target’s capacity',
    });
  else verdicts.push({ ...base, status: cap.sustainableRps > 0 ? 'pass' : 'fail', observed: cap.statement });
  if (cap.trend.length > 0 && cap.steps.length > 0 && cap.limitedBy !== 'generator') {
    const sorted = cap.trend.map((t) => t.sustainableRps).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    const floor = median * (1 - c.tolerance);
    const change = median > 0 ? (cap.sustainableRps - median) / median : 0;
    verdicts.push({
      id: 'capacity trend',
      source: 'slo',
      objective: `capacity ≥ ${(100 - c.tolerance * 100).toFixed(0)}% of the median of the last ${cap.trend.length} run(s) (${rps(median)}), i.e. ≥ ${rps(Math.round(floor))}`,
      status: cap.sustainableRps >= floor ? 'pass' : 'fail',
      observed: `${rps(cap.sustainableRps)} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%)`,
    });
  }
  return verdicts;
}

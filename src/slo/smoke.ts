// Pure: smoke check results → the smoke verdict. No checks ran is no-data, never a pass.
import type { CheckResult, Verdict } from '../record/schema.ts';

export function smokeVerdict(checks: readonly CheckResult[]): Verdict {
  const failed = checks.filter((c) => c.status === 'failed');
  const base = { id: 'smoke', source: 'smoke', objective: 'all smoke checks pass' } as const;
  if (checks.length === 0) return { ...base, status: 'no-data', detail: 'no smoke check ran' };
  return {
    ...base,
    status: failed.length === 0 ? 'pass' : 'fail',
    observed: `${checks.length - failed.length}/${checks.length} passed`,
    ...(failed.length ? { detail: `failed: ${failed.map((c) => `${c.suite} › ${c.name}`).join(', ')}` } : {}),
  };
}

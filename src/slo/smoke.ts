// Pure: smoke check results → the smoke verdict. No checks ran is no-data, never a pass.
import type { CheckResult, Verdict } from '../record/schema.ts';
import { decided, noData } from './verdict.ts';

export function smokeVerdict(checks: readonly CheckResult[]): Verdict {
  const failed = checks.filter((c) => c.status === 'failed');
  const head = { id: 'smoke', kind: 'smoke', objective: 'all smoke checks pass' } as const;
  if (checks.length === 0) return noData(head, 'no smoke check ran');
  return decided(
    head,
    failed.length === 0,
    { samples: checks.length, from: `${checks.length} smoke check${checks.length === 1 ? '' : 's'}` },
    {
      observed: `${checks.length - failed.length}/${checks.length} passed`,
      ...(failed.length ? { detail: `failed: ${failed.map((c) => `${c.suite} › ${c.name}`).join(', ')}` } : {}),
    },
  );
}

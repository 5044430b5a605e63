// Pure: a target that failed before the run (refused, reset, DNS, a certificate expired, for
// another host or signed by an unknown CA) is the deploy's failure — a failing verdict, exit 1.
import type { Verdict } from '../record/schema.ts';
import { failed } from './verdict.ts';

export function unreachableVerdict(origin: string, reason: string): Verdict {
  return failed(
    { id: 'target reachable', kind: 'target', objective: 'the target accepts a connection the run trusts' },
    {
      observed: `${origin} — ${reason}`,
      evidence: { samples: 1, from: `a connection to ${origin} before the first request` },
    },
  );
}

// For tests that need a verdict as a record holds it: a pass gets one sample of evidence (the
// schema refuses a pass without it); everything else as given.
import type { Verdict, VerdictKind, VerdictUnit } from '../record/schema.ts';
import { SCOPE_OF } from './verdict.ts';

export interface VerdictFields {
  id: string;
  kind: VerdictKind;
  status: Verdict['status'];
  objective?: string;
  observed?: string;
  phase?: string;
  source?: Verdict['source'];
  measured?: { value: number; unit: VerdictUnit };
  bound?: { op: '<' | '<=' | '>' | '>=' | '==' | '!='; value: number; unit: VerdictUnit };
  window?: { fromS: number; toS: number };
}

export function aVerdict(f: VerdictFields): Verdict {
  const { status, ...rest } = f;
  const base = {
    ...rest,
    scope: SCOPE_OF[f.kind],
    source: f.source ?? (f.kind === 'threshold' ? 'threshold' : f.kind === 'smoke' ? 'smoke' : 'slo'),
    objective: f.objective ?? f.id,
  } as const;
  return status === 'pass' ? { ...base, status, evidence: { samples: 1, from: 'a test' } } : { ...base, status };
}

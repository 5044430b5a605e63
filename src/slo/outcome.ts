// Pure: verdicts → the run's status and exit code (DESIGN.md's table). no-data fails the run, and
// so does a pass with no sample behind it (a record built outside the verdict constructors).
import { ExitCode } from '../core/errors.ts';
import type { RunStatus, Verdict } from '../record/schema.ts';

const backedPass = (v: Verdict) => v.status === 'pass' && (v.evidence?.samples ?? 0) > 0;

export function runOutcome(
  verdicts: readonly Verdict[],
  harness: { aborted: boolean; errorCode?: ExitCode | undefined },
): { status: RunStatus; exitCode: ExitCode } {
  if (harness.aborted) return { status: 'aborted', exitCode: ExitCode.interrupted };
  if (harness.errorCode !== undefined) return { status: 'error', exitCode: harness.errorCode };
  if (verdicts.length === 0) return { status: 'failed', exitCode: ExitCode.verdictFailed };
  const ok = verdicts.every(backedPass);
  return ok ? { status: 'passed', exitCode: ExitCode.pass } : { status: 'failed', exitCode: ExitCode.verdictFailed };
}

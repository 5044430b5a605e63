import { describe, expect, it } from 'vitest';
import { ExitCode } from '../core/errors.ts';
import type { Verdict, VerdictStatus } from '../record/schema.ts';
import { runOutcome } from './outcome.ts';
import { decided, errored, failed, noData } from './verdict.ts';

function v(status: VerdictStatus, id = `v-${status}`): Verdict {
  const head = { id, kind: 'threshold', objective: 'p(95)<200' } as const;
  const evidence = { samples: 10, from: 'HDR histogram of 10 requests' };
  if (status === 'pass') return decided(head, true, evidence);
  if (status === 'fail') return failed(head, { evidence });
  return status === 'no-data' ? noData(head, 'no samples') : errored(head, 'the engine could not start');
}
const ran = { aborted: false };

describe('the run outcome (what sets the exit code)', () => {
  it('every verdict a pass: passed, exit 0', () => {
    expect(runOutcome([v('pass', 'a'), v('pass', 'b')], ran)).toEqual({ status: 'passed', exitCode: ExitCode.pass });
  });

  it.each(['fail', 'no-data', 'error'] as const)('one %s among passes fails the run, exit 1', (status) => {
    for (const at of [0, 1, 2]) {
      const verdicts = [v('pass', 'a'), v('pass', 'b')];
      verdicts.splice(at, 0, v(status));
      expect(runOutcome(verdicts, ran)).toEqual({ status: 'failed', exitCode: ExitCode.verdictFailed });
    }
  });

  it('no verdict at all is not a pass: failed, exit 1', () => {
    expect(runOutcome([], ran)).toEqual({ status: 'failed', exitCode: ExitCode.verdictFailed });
  });

  it('a pass with no sample behind it (built outside the constructors) does not pass the run', () => {
    for (const evidence of [{ samples: 0, from: 'nothing' }, undefined]) {
      const unbacked = { ...v('pass', 'unbacked'), evidence } as unknown as Verdict;
      expect(runOutcome([v('pass'), unbacked], ran)).toEqual({ status: 'failed', exitCode: ExitCode.verdictFailed });
    }
  });

  it('interrupted: aborted, exit 130, whatever the verdicts or an error say', () => {
    expect(runOutcome([v('pass')], { aborted: true })).toEqual({ status: 'aborted', exitCode: ExitCode.interrupted });
    expect(runOutcome([], { aborted: true, errorCode: ExitCode.couldNotRun })).toEqual({
      status: 'aborted',
      exitCode: ExitCode.interrupted,
    });
  });

  it('the harness could not work: error, with its own code, even over passing verdicts', () => {
    expect(runOutcome([v('pass')], { aborted: false, errorCode: ExitCode.couldNotRun })).toEqual({
      status: 'error',
      exitCode: ExitCode.couldNotRun,
    });
    expect(runOutcome([v('fail')], { aborted: false, errorCode: ExitCode.badConfig })).toEqual({
      status: 'error',
      exitCode: ExitCode.badConfig,
    });
    expect(runOutcome([v('pass')], { aborted: false, errorCode: undefined })).toEqual({
      status: 'passed',
      exitCode: ExitCode.pass,
    });
  });
});

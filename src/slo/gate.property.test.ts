// Properties of a gate's outcome: the run's exit code over the verdicts a load produces (as
// app/load.ts assembles them, with the default failure threshold the profile loader adds). An
// all-failing target never exits 0; a worse verdict never turns a failed run into a passed one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Executor } from '../config/profile.ts';
import { withDefaultFailureThresholds } from '../config/threshold.ts';
import { ExitCode } from '../core/errors.ts';
import type { LoadResult, Verdict, VerdictStatus } from '../record/schema.ts';
import { loadResultOf, lowerBound, runs, traffic, upperBound, type Traffic } from './arbitraries.test-util.ts';
import { containerFailedVerdict, containerLostVerdict } from './container.ts';
import { droppedVerdict, generatorVerdict } from './generator.ts';
import { engineVerdicts, loadRanVerdict } from './load.ts';
import { runOutcome } from './outcome.ts';
import { thresholdVerdicts } from './thresholds.ts';
import { decided, errored, failed, noData } from './verdict.ts';

const scenario: Executor = { executor: 'constant-vus', vus: 10, duration: 8000 };

/** The load's verdicts as a gate judges them: did it run, the engine, the generator, the thresholds. */
function gateVerdicts(load: LoadResult, written: Record<string, string[]>): Verdict[] {
  const { thresholds, defaults } = withDefaultFailureThresholds(written, ['http']);
  return [
    loadRanVerdict(load),
    ...engineVerdicts(load),
    ...[generatorVerdict(load, thresholds), droppedVerdict(load, scenario, thresholds)].filter((v) => v !== undefined),
    ...thresholdVerdicts(load, thresholds, { defaults }),
  ];
}

/** Thresholds a profile may write on anything but the failure rate (which the default then judges). */
const userThresholds = fc.dictionary(
  fc.constantFrom('http_req_duration', 'http_req_duration{window:2s}', 'http_reqs', 'iterations'),
  fc.array(
    fc.oneof(
      fc.tuple(fc.constantFrom('p(95)', 'p(99)', 'avg', 'max'), upperBound(6000)).map(([a, b]) => `${a}${b}`),
      fc.tuple(fc.constantFrom('count', 'rate'), lowerBound(5)).map(([a, b]) => `${a}${b}`),
    ),
    { minLength: 1, maxLength: 2 },
  ),
  { maxKeys: 3 },
);

/** Keep only the expressions that apply to each metric (a trend takes p(x)/avg/max, a counter count/rate). */
const applicable = (t: Record<string, string[]>) =>
  Object.fromEntries(
    Object.entries(t)
      .map(([k, list]): [string, string[]] => [
        k,
        list.filter((e) => (k.startsWith('http_req_duration') ? !/^(count|rate)/.test(e) : /^(count|rate)/.test(e))),
      ])
      .filter(([, list]) => list.length > 0),
  );

const allFailing = (tr: Traffic): Traffic => ({ ...tr, requests: tr.requests.map((r) => ({ ...r, ok: false })) });

describe('gate properties', () => {
  it('a target that failed every request (5xx or refused) never passes a gate, whatever else the profile limits', () => {
    fc.assert(
      fc.property(
        traffic(),
        userThresholds.map(applicable),
        fc.constantFrom('http_5xx' as const, 'refused' as const),
        (tr, written, failedAs) => {
          const load = loadResultOf(allFailing(tr), { failedAs });
          const verdicts = gateVerdicts(load, written);
          const outcome = runOutcome(verdicts, { aborted: false });
          expect(outcome.exitCode, verdicts.map((v) => `${v.id}: ${v.status}`).join('; ')).not.toBe(ExitCode.pass);
        },
      ),
      runs,
    );
  });

  it('a load with no request never passes a gate', () => {
    fc.assert(
      fc.property(traffic({ maxRequests: 0 }), userThresholds.map(applicable), (tr, written) => {
        expect(runOutcome(gateVerdicts(loadResultOf(tr), written), { aborted: false }).exitCode).not.toBe(
          ExitCode.pass,
        );
      }),
      runs,
    );
  });
});

describe('run outcome properties', () => {
  const status = fc.constantFrom<VerdictStatus>('pass', 'fail', 'no-data', 'error');
  const verdictOf = (s: VerdictStatus, i: number): Verdict => {
    const head = { id: `v${i}`, kind: 'threshold', objective: 'p(95)<200' } as const;
    const evidence = { samples: 3, from: 'HDR histogram of 3 requests' };
    if (s === 'pass') return decided(head, true, evidence);
    if (s === 'fail') return failed(head, { evidence });
    return s === 'no-data' ? noData(head, 'no samples') : errored(head, 'could not run');
  };
  const rank: Record<VerdictStatus, number> = { pass: 0, 'no-data': 1, fail: 1, error: 1 };

  it('exit 0 exactly when there are verdicts and every one passes', () => {
    fc.assert(
      fc.property(fc.array(status, { maxLength: 8 }), (statuses) => {
        const { exitCode } = runOutcome(statuses.map(verdictOf), { aborted: false });
        expect(exitCode === ExitCode.pass).toBe(statuses.length > 0 && statuses.every((s) => s === 'pass'));
      }),
      runs,
    );
  });

  it('making any verdict worse, or adding one that does not pass, never turns a failed run into a passed one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(status, status), { maxLength: 8 }),
        fc.array(fc.constantFrom<VerdictStatus>('fail', 'no-data', 'error'), { maxLength: 2 }),
        (pairs, added) => {
          // Each pair: a verdict and a worse-or-equal one in its place.
          const base = pairs.map(([a, b]) => (rank[a] <= rank[b] ? a : b));
          const worse = [...pairs.map(([a, b]) => (rank[a] <= rank[b] ? b : a)), ...added];
          const before = runOutcome(base.map(verdictOf), { aborted: false });
          const after = runOutcome(worse.map(verdictOf), { aborted: false });
          if (after.exitCode === ExitCode.pass) expect(before.exitCode).toBe(ExitCode.pass);
        },
      ),
      runs,
    );
  });
});

describe('container verdict properties', () => {
  it('an image that failed to start, or was lost during the run, never passes', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(600_000), (why, logs, timeoutMs) => {
        expect(containerFailedVerdict({ why, logs }, '/health', timeoutMs).status).toBe('fail');
        expect(containerLostVerdict('the image', { why, logs }, '/health', timeoutMs).status).toBe('fail');
      }),
      runs,
    );
  });
});

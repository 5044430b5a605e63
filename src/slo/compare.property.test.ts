// Properties of compare: a run compared with itself passes; a run worse beyond noise everywhere
// (every request slower by far more than the limits, or most requests failing) fails.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../record/schema.ts';
import { loadResultOf, runs, type Traffic } from './arbitraries.test-util.ts';
import { judgeCompare } from './compare.ts';
import { decided } from './verdict.ts';

const limits = {
  latencyIncrease: 0.1,
  latencyFloorMs: 1,
  errorRateIncrease: 0.005,
  throughputDrop: 0.1,
  rtoIncrease: 0.25,
};

/** A load run record around the load result (the fields compare reads; the rest as a record has them). */
const recordOf = (tr: Traffic): RunRecord =>
  ({
    schemaVersion: 2,
    runId: 'x',
    command: 'load',
    status: 'passed',
    exitCode: 0,
    errors: [],
    environment: { name: 'staging', baseUrl: 'http://127.0.0.1' },
    verdicts: [
      decided({ id: 'load', kind: 'load', objective: 'the load ran and the target answered' }, true, {
        samples: tr.requests.length,
        from: 'every request of the load',
      }),
    ],
    load: {
      ...loadResultOf(tr),
      generator: { busiestWorkerElu: 0.1, core: 'native' },
      identity: { profileSha256: 'a'.repeat(64), scenario: '{"executor":"constant-arrival-rate","rate":20}' },
    },
  }) as unknown as RunRecord;

/** 5–8 seconds of 10–20 answered requests each, 1–50 ms. */
const steady = fc.integer({ min: 5, max: 8 }).chain((seconds) =>
  fc
    .array(fc.array(fc.integer({ min: 1000, max: 50_000 }), { minLength: 10, maxLength: 20 }), {
      minLength: seconds,
      maxLength: seconds,
    })
    .map((perSecond): Traffic => ({
      seconds,
      model: 'open',
      requests: perSecond.flatMap((us, t) => us.map((u) => ({ t, us: u, ok: true }))),
      droppedPerSecond: perSecond.map(() => 0),
    })),
);

const failing = (r: ReturnType<typeof judgeCompare>) => r.verdicts.filter((v) => v.status !== 'pass');

describe('compare properties', () => {
  it('a run compared with itself passes', () => {
    fc.assert(
      fc.property(steady, (tr) => {
        const r = judgeCompare(recordOf(tr), recordOf(tr), { limits });
        expect(r.refused).toBe(false);
        expect(failing(r).map((v) => `${v.id}: ${v.observed}`)).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  it('every request three times slower and 100 ms later fails', () => {
    fc.assert(
      fc.property(steady, (tr) => {
        const slow = { ...tr, requests: tr.requests.map((q) => ({ ...q, us: q.us * 3 + 100_000 })) };
        expect(failing(judgeCompare(recordOf(tr), recordOf(slow), { limits })).length).toBeGreaterThan(0);
      }),
      { numRuns: 50 },
    );
  });

  it('half the requests failing fails, however fast they failed', () => {
    fc.assert(
      fc.property(steady, (tr) => {
        const broken = { ...tr, requests: tr.requests.map((q, i) => (i % 2 ? { ...q, ok: false, us: 200 } : q)) };
        expect(failing(judgeCompare(recordOf(tr), recordOf(broken), { limits })).length).toBeGreaterThan(0);
      }),
      runs,
    );
  });
});

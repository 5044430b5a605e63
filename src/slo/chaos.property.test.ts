// Properties of the chaos and drill judges, fed through the real measuring path (probe samples →
// measure/recovery.ts's RTO, uptime and RPO → the experiment's and the DR plan's verdicts): a
// longer outage, lower uptime or more lost writes never turn a fail into a pass; an experiment or
// drill with nothing measured never passes; an all-failing system never passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExperimentSlos } from '../config/experiment.ts';
import { objective } from '../core/comparison.ts';
import { ExitCode } from '../core/errors.ts';
import { measureRpo, measureRto, uptime, type LedgerEntry, type Sample } from '../measure/recovery.ts';
import type { ChaosResult, Verdict } from '../record/schema.ts';
import {
  longerOutage,
  lowerUptime,
  moreLost,
  observation,
  runs,
  worsened,
  type Observation,
} from './arbitraries.test-util.ts';
import { experimentVerdicts } from './chaos.ts';
import { planVerdicts } from './drill.ts';
import { runOutcome } from './outcome.ts';

const HEALTHY_IN_A_ROW = 3;

/** The chaos result the runner records for this observation (runner.ts: measureRto, uptime, measureRpo). */
function chaosResultOf(o: Observation): ChaosResult {
  const samples: Sample[] = o.healthy.map((ok, i) => ({ t: i * o.intervalMs, ok, latencyMs: 5 }));
  const end = o.healthy.length * o.intervalMs;
  const rto = measureRto(samples, o.injectedAtMs, HEALTHY_IN_A_ROW);
  const u = uptime(samples, 0, end, o.intervalMs);
  const ledger: LedgerEntry[] = o.lost.map((_, i) => ({
    seq: i + 1,
    t: i * o.intervalMs,
    ackAtMs: i * o.intervalMs + 5,
    outcome: 'acknowledged',
  }));
  const rpo = measureRpo(ledger, new Set(ledger.filter((_, i) => !o.lost[i]).map((e) => e.seq)));
  return {
    experiment: 'e',
    dryRun: false,
    windowStartMs: 0,
    windowEndMs: end,
    steadyState: { before: 'met', after: o.healthy.slice(-HEALTHY_IN_A_ROW).every(Boolean) ? 'met' : 'not met' },
    faults: [
      {
        id: 'kill',
        label: 'process-kill api',
        target: 'api',
        injectedAtMs: o.injectedAtMs,
        events: [],
        recoveryProbe: 'api',
        ...(rto.rtoMs !== undefined ? { rtoMs: rto.rtoMs } : {}),
        recovery: `api: ${rto.note}`,
      },
    ],
    probes: [
      {
        name: 'api',
        kind: 'http',
        intervalMs: o.intervalMs,
        total: u.total,
        ok: u.ok,
        healthyMs: u.healthyMs,
        coveredMs: u.coveredMs,
        samples: samples.map((s) => [s.t, s.ok ? 1 : 0, s.latencyMs]),
      },
    ],
    ledger: { probe: 'writes', ...rpo, verified: 'read back from the primary' },
    rollbacks: [],
  };
}

const slos = fc
  .record({
    rtoS: fc.integer({ min: 0, max: 10 }),
    lostWrites: fc.integer({ min: 0, max: 5 }),
    uptimePct: fc.integer({ min: 50, max: 100 }),
  })
  .map(({ rtoS, lostWrites, uptimePct }) =>
    ExperimentSlos.parse({ rto: `<=${rtoS}s`, rpo: `<=${lostWrites} writes`, uptime: `>=${uptimePct}%` }),
  );

const byId = (vs: Verdict[]) => new Map(vs.map((v) => [v.id, v]));

/** For every verdict of the worse run: a pass there means a pass in the better run. */
function neverBetter(worsening: (o: Observation) => fc.Arbitrary<Observation>) {
  fc.assert(
    fc.property(worsened(observation, worsening), slos, ({ base, worse }, s) => {
      const before = byId(experimentVerdicts(chaosResultOf(base), { slos: s, alerts: [] }));
      for (const v of experimentVerdicts(chaosResultOf(worse), { slos: s, alerts: [] }))
        if (v.status === 'pass') expect(before.get(v.id)?.status, `${v.id}: ${v.observed}`).toBe('pass');
    }),
    runs,
  );
}

describe('chaos properties: worse never passes where better failed', () => {
  it('a longer outage', () => neverBetter(longerOutage));
  it('more lost writes', () => neverBetter(moreLost));
  it('lower uptime (any healthy sample failing instead), for the uptime verdict', () => {
    fc.assert(
      fc.property(worsened(observation, lowerUptime), slos, ({ base, worse }, s) => {
        const pick = (o: Observation) =>
          experimentVerdicts(chaosResultOf(o), { slos: s, alerts: [] }).find((v) => v.id.startsWith('uptime'))!;
        if (pick(worse).status === 'pass') expect(pick(base).status).toBe('pass');
      }),
      runs,
    );
  });
});

describe('chaos properties: no evidence, all failing', () => {
  it('an experiment whose probe took no sample passes nothing and fails the run', () => {
    fc.assert(
      fc.property(observation, slos, (o, s) => {
        const none = { ...o, healthy: [], lost: [] };
        const verdicts = experimentVerdicts(chaosResultOf(none), { slos: s, alerts: [] });
        for (const v of verdicts.filter((x) => x.kind !== 'steady-state'))
          expect(v.status, `${v.id}: ${v.detail}`).not.toBe('pass');
        expect(runOutcome(verdicts, { aborted: false }).exitCode).not.toBe(ExitCode.pass);
      }),
      runs,
    );
  });

  it('a system that failed every sample after the injection and lost a write never passes the experiment or the drill', () => {
    fc.assert(
      fc.property(observation, slos, (o, s) => {
        const down = {
          ...o,
          healthy: o.healthy.map((h, i) => h && i * o.intervalMs < o.injectedAtMs),
          lost: o.lost.map(() => true),
        };
        const c = chaosResultOf(down);
        expect(runOutcome(experimentVerdicts(c, { slos: s, alerts: [] }), { aborted: false }).exitCode).not.toBe(
          ExitCode.pass,
        );
        const plan = planVerdicts(
          c,
          { rto: '30s', rpo: '0 writes' },
          objective('30s', 'rto'),
          objective('0 writes', 'rpo'),
        );
        expect(runOutcome(plan, { aborted: false }).exitCode).not.toBe(ExitCode.pass);
      }),
      runs,
    );
  });
});

describe('drill properties: the DR plan verdicts', () => {
  const plan = fc
    .record({ rtoS: fc.integer({ min: 0, max: 10 }), rpoS: fc.integer({ min: 0, max: 10 }) })
    .map(({ rtoS, rpoS }) => ({ rto: `${rtoS}s`, rpo: `${rpoS}s` }));
  const judge = (o: Observation, p: { rto: string; rpo: string }) =>
    byId(planVerdicts(chaosResultOf(o), p, objective(p.rto, 'rto'), objective(p.rpo, 'rpo')));

  it('a longer outage or more lost writes never turn a plan verdict from fail into pass', () => {
    fc.assert(
      fc.property(
        fc.oneof(worsened(observation, longerOutage), worsened(observation, moreLost)),
        plan,
        ({ base, worse }, p) => {
          const before = judge(base, p);
          for (const v of judge(worse, p).values())
            if (v.status === 'pass') expect(before.get(v.id)?.status, `${v.id}: ${v.observed}`).toBe('pass');
        },
      ),
      runs,
    );
  });

  it('always both plan verdicts; neither passes with no sample', () => {
    fc.assert(
      fc.property(observation, plan, (o, p) => {
        const vs = [...judge({ ...o, healthy: [], lost: [] }, p).values()];
        expect(vs.map((v) => v.kind).sort()).toEqual(['plan-rpo', 'plan-rto']);
        for (const v of vs) expect(v.status).not.toBe('pass');
      }),
      runs,
    );
  });
});

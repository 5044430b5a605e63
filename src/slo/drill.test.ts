import { describe, expect, it } from 'vitest';
import { ChaosResult } from '../record/schema.ts';
import { objective } from '../core/comparison.ts';
import { planVerdicts, scenarioDidNotRun, scenarioFigures, scenarioStatus } from './drill.ts';
import { decided, noData, type Verdict } from './verdict.ts';

const probe = (name: string, kind: string, oks: number[]) => ({
  name,
  kind,
  intervalMs: 1000,
  total: oks.length,
  ok: oks.filter(Boolean).length,
  healthyMs: oks.filter(Boolean).length * 1000,
  coveredMs: oks.length * 1000,
  samples: oks.map((ok, i) => [i * 1000, ok, 1]),
});

describe("a drill scenario's figures", () => {
  it('name the probe each came from: the RTO of the slowest fault, the uptime of the http probe', () => {
    const c = ChaosResult.parse({
      experiment: 'failover',
      dryRun: false,
      windowStartMs: 0,
      windowEndMs: 10_000,
      steadyState: { before: 'met', after: 'met' },
      faults: [
        {
          id: '1.1',
          label: 'a',
          target: 't',
          injectedAtMs: 1000,
          events: [],
          rtoMs: 2000,
          recoveryProbe: 'api',
          recovery: '',
        },
        {
          id: '1.2',
          label: 'b',
          target: 't',
          injectedAtMs: 3000,
          events: [],
          rtoMs: 6000,
          recoveryProbe: 'writes',
          recovery: '',
        },
      ],
      probes: [
        probe('writes', 'db-write', [1, 1, 1, 0, 0, 0, 1, 1, 1, 1]),
        probe('api', 'http', [1, 1, 0, 0, 1, 1, 1, 1, 1, 1]),
      ],
      rollbacks: [],
    });
    expect(scenarioFigures(c)).toEqual({ rtoMs: 6000, rtoProbe: 'writes', uptime: 0.8, uptimeProbe: 'api' });
  });
});

describe('the DR plan against a scenario', () => {
  const plan = { rto: '<30s', rpo: '<1s' };
  const rto = objective(plan.rto, 'rto');
  const rpo = objective(plan.rpo, 'rpo');
  const api = probe('api', 'http', [1, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
  const chaos = (faults: object[], extra: object = {}) =>
    ChaosResult.parse({
      experiment: 'x',
      dryRun: false,
      windowStartMs: 0,
      windowEndMs: 10_000,
      steadyState: { before: 'met', after: 'met' },
      faults,
      probes: [api],
      rollbacks: [],
      ...extra,
    });
  const fault = (o: object) => ({
    id: '1.1',
    label: 'kill',
    target: 'api',
    injectedAtMs: 1000,
    events: [],
    recoveryProbe: 'api',
    recovery: 'api: 3 healthy samples in a row',
    ...o,
  });
  const ledger = (acknowledged: number, lost: { seq: number; atMs: number }[], lostSpanMs: number) => ({
    ledger: {
      probe: 'writes',
      acknowledged,
      failed: 0,
      indeterminate: 0,
      recovered: 0,
      lost,
      lostSpanMs,
      verified: 'read back',
    },
  });
  const restore = (o: object = {}) => ({
    backup: { method: 'pg_dump' },
    restoreTookMs: 3000,
    tables: [{ table: 'orders', rows: 10, ok: true }],
    verification: [],
    ...o,
  });
  const byId = (vs: ReturnType<typeof planVerdicts>) => Object.fromEntries(vs.map((v) => [v.id, v]));
  const judge = (c: ChaosResult) => byId(planVerdicts(c, plan, rto, rpo));

  it('pass: recovered within the RTO, no acknowledged write lost — each on its evidence', () => {
    const v = judge(chaos([fault({ rtoMs: 3000 })], ledger(50, [], 0)));
    expect(v['DR plan RTO']).toMatchObject({
      status: 'pass',
      kind: 'plan-rto',
      scope: 'drill',
      observed: '3.00 s',
      measured: { value: 3000, unit: 'ms' },
      evidence: { samples: 9, from: 'probe api: 9 samples after the injection' },
    });
    expect(v['DR plan RPO']).toMatchObject({
      status: 'pass',
      kind: 'plan-rpo',
      observed: '0 s: no data lost',
      evidence: { samples: 50 },
    });
  });

  it('fail: one lost write fails an RPO under a second; never recovered fails the RTO', () => {
    const v = judge(
      chaos([fault({ recovery: 'the API never answered again' })], ledger(50, [{ seq: 17, atMs: 2000 }], 1500)),
    );
    expect(v['DR plan RTO']).toMatchObject({
      status: 'fail',
      observed: 'not recovered',
      detail: 'kill: the API never answered again',
    });
    expect(v['DR plan RPO']).toMatchObject({ status: 'fail', observed: '1.50 s' });
    expect(v['DR plan RPO']!.detail).toMatch(/1 of 50 acknowledged writes lost \(#17\)/);
    expect(judge(chaos([fault({ rtoMs: 31_000 })], ledger(50, [], 0)))['DR plan RTO']?.status).toBe('fail');
  });

  // Issue 30 item 6: drill.plan.rpo is mandatory, so every scenario has its verdict — no-data when nothing measured loss.
  it('no-data, never absent: no fault injected, nothing that measured data loss, a ledger not read back', () => {
    const none = judge(chaos([{ id: '1.1', label: 'kill', target: 'api', events: [], recovery: 'not injected' }]));
    expect(none['DR plan RTO']).toMatchObject({ status: 'no-data', detail: 'no fault was injected' });
    expect(none['DR plan RPO']).toMatchObject({
      status: 'no-data',
      detail: expect.stringContaining('nothing measured data loss'),
    });
    const unmeasured = judge(chaos([fault({ rtoMs: 3000 })]));
    expect(unmeasured['DR plan RTO']?.status).toBe('pass');
    expect(unmeasured['DR plan RPO']?.status).toBe('no-data');
    const unread = judge(
      chaos([fault({ rtoMs: 3000 })], { ledgerUnverified: 'the ledger could not be read: connection refused' }),
    );
    expect(unread['DR plan RPO']).toMatchObject({
      status: 'no-data',
      detail: 'the ledger could not be read: connection refused',
    });
    // A ledger with no acknowledged write measured nothing either.
    expect(judge(chaos([fault({ rtoMs: 3000 })], ledger(0, [], 0)))['DR plan RPO']?.status).toBe('no-data');
  });

  it('a restore: its RTO rests on what verified the copy; one that verified nothing is no-data, one that failed fails', () => {
    const ok = judge(
      chaos([fault({ recoveryProbe: undefined, rtoMs: 3000, restore: restore({ rpoMs: 200, newestDataAt: 'x' }) })]),
    );
    expect(ok['DR plan RTO']).toMatchObject({ status: 'pass', evidence: { samples: 1, coveredMs: 3000 } });
    expect(ok['DR plan RPO']).toMatchObject({ status: 'pass', measured: { value: 200, unit: 'ms' } });
    const empty = judge(
      chaos([fault({ recoveryProbe: undefined, restore: restore({ tables: [], rpoMs: 200, newestDataAt: 'x' }) })]),
    );
    expect(empty['DR plan RTO']).toMatchObject({
      status: 'no-data',
      detail: expect.stringContaining('nothing verified the copy'),
    });
    const broken = judge(
      chaos([
        fault({ recoveryProbe: undefined, restore: restore({ failure: 'pg_restore failed (exit 1)', tables: [] }) }),
      ]),
    );
    expect(broken['DR plan RPO']).toMatchObject({ status: 'fail', detail: 'pg_restore failed (exit 1)' });
    expect(broken['DR plan RTO']).toMatchObject({ status: 'fail', observed: 'not recovered' });
  });
});

describe("a scenario's status", () => {
  const head = { id: 'x', kind: 'rto', objective: 'RTO <30s' } as const;
  const pass = decided(head, true, { samples: 3, from: 'probe' });
  it('passed only with verdicts, every one a backed pass; failed naming the others; error when it could not run', () => {
    expect(scenarioStatus([pass])).toEqual({ status: 'passed', failures: [] });
    expect(scenarioStatus([pass, noData({ ...head, id: 'DR plan RPO' }, 'nothing measured')])).toEqual({
      status: 'failed',
      failures: ['DR plan RPO: nothing measured'],
    });
    expect(scenarioStatus([]).status).toBe('failed');
    expect(scenarioStatus([scenarioDidNotRun('experiment a.yaml: no such file')])).toMatchObject({
      status: 'error',
      failures: ['ran: experiment a.yaml: no such file'],
    });
    // A pass without a sample (a record built by hand) is not a pass.
    const unbacked = { ...pass, evidence: { samples: 0, from: 'nothing' } } as unknown as Verdict;
    expect(scenarioStatus([unbacked]).status).toBe('failed');
  });
});

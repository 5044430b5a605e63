// Exact figures, bounds, evidence and texts of a drill scenario's verdicts, on constructed inputs:
// each assertion here is one a mutation of src/slo/drill.ts survived before (docs/mutation.md).
import { describe, expect, it } from 'vitest';
import { objective } from '../core/comparison.ts';
import type { ChaosResult, RestoreRecord } from '../record/schema.ts';
import { NOTHING_VERIFIED } from './chaos.ts';
import { planVerdicts, scenarioDidNotRun, scenarioFigures, scenarioStatus } from './drill.ts';
import { decided, errored, failed, noData, type Verdict } from './verdict.ts';

type Fault = ChaosResult['faults'][number];
type Probe = ChaosResult['probes'][number];

const api: Probe = {
  name: 'api',
  kind: 'http',
  intervalMs: 1000,
  total: 4,
  ok: 3,
  healthyMs: 3000,
  coveredMs: 4000,
  samples: [
    [1000, 1, 1],
    [2000, 0, 1],
    [3000, 1, 1],
    [4000, 1, 1],
  ],
};

const fault = (over: Partial<Fault> = {}): Fault => ({
  id: '1.1',
  label: 'kill',
  target: 'api',
  injectedAtMs: 1000,
  events: [],
  recoveryProbe: 'api',
  rtoMs: 2000,
  recovery: 'api: healthy again',
  ...over,
});

const restore = (over: Partial<RestoreRecord> = {}): RestoreRecord => ({
  backup: { method: 'pg_dump' },
  restoreTookMs: 3000,
  tables: [{ table: 'orders', rows: 10, ok: true }],
  verification: [],
  ...over,
});

const ledger = (lost: { seq: number; atMs: number }[], lostSpanMs: number, acknowledged = 50) => ({
  probe: 'writes',
  acknowledged,
  failed: 0,
  indeterminate: 0,
  recovered: 0,
  lost,
  lostSpanMs,
  verified: 'read back',
});

const chaos = (faults: Fault[], over: Partial<ChaosResult> = {}): ChaosResult => ({
  experiment: 'x',
  dryRun: false,
  windowStartMs: 0,
  windowEndMs: 10_000,
  steadyState: { before: 'met', after: 'met' },
  faults,
  probes: [api],
  rollbacks: [],
  ...over,
});

const plan = { rto: '<30s', rpo: '<1s' };
const judge = (c: ChaosResult, rpo = objective(plan.rpo, 'rpo'), rpoText = plan.rpo) => {
  const [rtoV, rpoV] = planVerdicts(c, { rto: plan.rto, rpo: rpoText }, objective(plan.rto, 'rto'), rpo);
  return { rto: rtoV!, rpo: rpoV! };
};

describe('the plan RTO', () => {
  it('the slowest fault, on the evidence of all of them added up', () => {
    const c = chaos([
      fault({ id: 'a', label: 'a', rtoMs: 2000 }),
      fault({
        id: 'b',
        label: 'b',
        injectedAtMs: 2500,
        rtoMs: 5000,
        recoveryProbe: undefined,
        recovery: 'whole again',
      }),
    ]);
    expect(judge(c).rto).toEqual({
      id: 'DR plan RTO',
      kind: 'plan-rto',
      scope: 'drill',
      source: 'slo',
      objective: 'RTO <30s',
      status: 'pass',
      measured: { value: 5000, unit: 'ms' },
      bound: { op: '<', value: 30_000, unit: 'ms' },
      evidence: { samples: 5, coveredMs: 9000, from: 'probe api: 4 samples after the injection; whole again' },
      observed: '5.00 s',
      detail: 'the slowest of 2 faults: b',
    });
  });

  it('on a tie the first fault is the slowest; one fault is "1 fault"; 0 s says no outage', () => {
    const tie = chaos([fault({ label: 'a', rtoMs: 2000 }), fault({ label: 'b', rtoMs: 2000 })]);
    expect(judge(tie).rto.detail).toBe('the slowest of 2 faults: a');
    // The same evidence twice: its source named once.
    expect(judge(tie).rto.evidence).toEqual({
      samples: 8,
      coveredMs: 8000,
      from: 'probe api: 4 samples after the injection',
    });
    const zero = judge(chaos([fault({ rtoMs: 0 })])).rto;
    expect(zero).toMatchObject({ observed: '0 s: no outage seen', detail: 'the slowest of 1 fault: kill' });
  });

  it('evidence with no time covered has none; evidence named by nothing falls back to what it is', () => {
    const c = chaos([fault({ recoveryProbe: undefined, rtoMs: 1000, recovery: '' })]);
    expect(judge(c).rto.evidence).toEqual({ samples: 1, coveredMs: 1000, from: 'the faults’ recoveries' });
    const gone = chaos([fault({ rtoMs: 1000, recoveryProbe: 'gone' }), fault({ rtoMs: 0 })]);
    // A probe whose samples were not kept adds no time (and no sample).
    expect(judge(gone).rto.evidence).toEqual({
      samples: 4,
      coveredMs: 4000,
      from: 'probe gone: no samples kept; probe api: 4 samples after the injection',
    });
    const none = chaos([fault({ rtoMs: 1000, recoveryProbe: 'gone' })]);
    expect(judge(none).rto).toMatchObject({ status: 'no-data', evidence: { samples: 0 } });
    expect(judge(none).rto.evidence).not.toHaveProperty('coveredMs');
  });

  it('a failed fault wins over an unmeasured one, whatever their order', () => {
    const c = chaos([
      fault({ id: 'a', label: 'a', recoveryProbe: undefined, rtoMs: undefined }),
      fault({ id: 'b', label: 'b', rtoMs: undefined, recovery: 'never healthy' }),
    ]);
    expect(judge(c).rto).toMatchObject({ status: 'fail', observed: 'not recovered', detail: 'b: never healthy' });
    const u = chaos([
      fault({ id: 'a', label: 'a', recoveryProbe: undefined, rtoMs: undefined, recovery: 'unwatched' }),
    ]);
    expect(judge(u).rto).toMatchObject({ status: 'no-data', detail: 'a: unwatched' });
    // An unmeasured fault after a measured one: still no-data.
    const later = chaos([
      fault(),
      fault({ id: 'b', label: 'b', recoveryProbe: undefined, rtoMs: undefined, recovery: 'x' }),
    ]);
    expect(judge(later).rto).toMatchObject({ status: 'no-data', detail: 'b: x' });
    // A fault never injected is left out when another was.
    const partly = chaos([fault({ id: 'z', label: 'z', injectedAtMs: undefined, rtoMs: undefined }), fault()]);
    expect(judge(partly).rto).toMatchObject({ status: 'pass', detail: 'the slowest of 1 fault: kill' });
  });
});

describe('the plan RPO', () => {
  it('from the ledger: the lost span, or the writes lost, each said', () => {
    const c = chaos([fault()], { ledger: ledger([{ seq: 3, atMs: 1 }], 700) });
    expect(judge(c).rpo).toEqual({
      id: 'DR plan RPO',
      kind: 'plan-rpo',
      scope: 'drill',
      source: 'slo',
      objective: 'RPO <1s',
      status: 'pass',
      measured: { value: 700, unit: 'ms' },
      bound: { op: '<', value: 1000, unit: 'ms' },
      evidence: { samples: 50, from: 'write ledger of probe writes: 50 acknowledged writes read back' },
      observed: '700 ms',
      detail: 'write ledger: 1 of 50 acknowledged writes lost (#3)',
    });
    const w = judge(c, objective('<=1 writes', 'rpo'), '<=1 writes').rpo;
    expect(w).toMatchObject({
      status: 'pass',
      objective: 'RPO <=1 writes',
      measured: { value: 1, unit: 'count' },
      bound: { op: '<=', value: 1, unit: 'count' },
      observed: '1 acknowledged write lost',
    });
    const two = chaos([fault()], {
      ledger: ledger(
        [
          { seq: 3, atMs: 1 },
          { seq: 5, atMs: 2 },
        ],
        700,
      ),
    });
    expect(judge(two, objective('0 writes', 'rpo'), '0 writes').rpo).toMatchObject({
      status: 'fail',
      observed: '2 acknowledged writes lost',
      detail: 'write ledger: 2 of 50 acknowledged writes lost (#3, #5)',
    });
    expect(
      judge(chaos([fault()], { ledger: ledger([], 0) }), objective('0 writes', 'rpo'), '0 writes').rpo,
    ).toMatchObject({
      status: 'pass',
      observed: '0 acknowledged writes lost',
      detail: 'write ledger: 0 of 50 acknowledged writes lost',
    });
  });

  it('from restores: the oldest copy, on the copies’ evidence added up', () => {
    const c = chaos([
      fault({ id: 'a', restore: restore({ rpoMs: 200, newestDataAt: 'x', rpoBasis: 'fresh a' }) }),
      fault({ id: 'b', restore: restore({ rpoMs: 500, newestDataAt: 'y', rpoBasis: 'fresh b' }) }),
    ]);
    expect(judge(c).rpo).toMatchObject({
      status: 'pass',
      measured: { value: 500, unit: 'ms' },
      evidence: { samples: 2, from: 'the freshness query on the copy' },
      observed: '500 ms',
      detail: 'restored copy’s age — fresh a; fresh b',
    });
    expect(judge(c).rpo.evidence).not.toHaveProperty('coveredMs');
  });

  it('a failed restore fails, saying why; one whose data loss nothing measured is no-data', () => {
    const broken = chaos([fault({ restore: restore({ failure: 'pg_restore exit 1', rpoMs: 10 }) })]);
    expect(judge(broken).rpo).toEqual({
      id: 'DR plan RPO',
      kind: 'plan-rpo',
      scope: 'drill',
      source: 'slo',
      objective: 'RPO <1s',
      status: 'fail',
      detail: 'restored copy’s age — ',
    });
    const unknown = chaos([fault({ restore: restore() })]);
    expect(judge(unknown).rpo).toMatchObject({ status: 'no-data', detail: 'the data loss could not be measured' });
    const based = chaos([fault({ restore: restore({ rpoBasis: 'no freshness query' }) })]);
    expect(judge(based).rpo).toMatchObject({ status: 'no-data', detail: 'no freshness query' });
  });

  it('no-data when nothing measured loss, saying what would', () => {
    expect(judge(chaos([fault()])).rpo).toEqual({
      id: 'DR plan RPO',
      kind: 'plan-rpo',
      scope: 'drill',
      source: 'slo',
      objective: 'RPO <1s',
      status: 'no-data',
      detail:
        'nothing measured data loss in this scenario: add a db-write probe (a ledger of acknowledged writes) or a backup-restore fault',
    });
    // An empty reason is still a ledger that was not read: judged (no-data from its figures), not "nothing measured".
    expect(judge(chaos([fault()], { ledgerUnverified: '' })).rpo).toMatchObject({
      status: 'no-data',
      detail: 'the data loss could not be measured',
    });
  });
});

describe("a scenario's figures", () => {
  it('the worst RTO and its probe, only when every injected fault has one', () => {
    expect(scenarioFigures(chaos([fault({ rtoMs: 2000 }), fault({ rtoMs: 3000, recoveryProbe: 'db' })]))).toMatchObject(
      { rtoMs: 3000, rtoProbe: 'db' },
    );
    expect(scenarioFigures(chaos([fault({ rtoMs: 2000 }), fault({ rtoMs: undefined })]))).not.toHaveProperty('rtoMs');
    expect(scenarioFigures(chaos([fault({ injectedAtMs: undefined, rtoMs: undefined }), fault()])).rtoMs).toBe(2000);
    expect(scenarioFigures(chaos([fault({ recoveryProbe: undefined })]))).not.toHaveProperty('rtoProbe');
    // Nothing measured: no key at all (not one set to undefined).
    expect(Object.keys(scenarioFigures(chaos([], { probes: [] })))).toEqual([]);
  });

  it('restores: the oldest copy and the most writes lost; unmeasured ages say why', () => {
    const f = scenarioFigures(
      chaos(
        [
          fault({ restore: restore({ rpoMs: 100, lostWrites: 1, rpoBasis: 'a' }) }),
          fault({ restore: restore({ rpoMs: 300, lostWrites: 4 }) }),
          fault({ restore: restore({ rpoMs: 200, rpoBasis: 'c' }) }),
        ],
        { probes: [] },
      ),
    );
    expect(f).toEqual({
      rtoMs: 2000,
      rtoProbe: 'api',
      rpoMs: 300,
      rpoBasis: 'restored copy’s age — a; c',
      lostWrites: 4,
    });
    const g = scenarioFigures(
      chaos(
        [
          fault({ restore: restore({ failure: 'boom', rpoBasis: 'not this' }) }),
          fault({ restore: restore({ rpoBasis: 'basis' }) }),
          fault({ restore: restore({ tables: [] }) }),
          fault({ restore: restore() }),
          fault({ restore: restore({ rpoMs: 5 }) }),
        ],
        { probes: [] },
      ),
    );
    // The failure over its basis; a copy nothing verified says so; one with neither adds nothing.
    expect(g.rpoBasis).toBe(`boom; basis; ${NOTHING_VERIFIED}`);
    expect(g).not.toHaveProperty('rpoMs');
    expect(g).not.toHaveProperty('lostWrites');
  });

  it('the ledger: the span only when something was lost; an unread ledger its reason', () => {
    expect(scenarioFigures(chaos([], { probes: [], ledger: ledger([], 900) }))).toEqual({
      rpoMs: 0,
      lostWrites: 0,
      rpoBasis: 'write ledger: 0 of 50 acknowledged writes lost',
    });
    expect(scenarioFigures(chaos([], { probes: [], ledgerUnverified: 'unread' }))).toEqual({ rpoBasis: 'unread' });
  });

  it('uptime from the http probe, only when it has one', () => {
    const db = { ...api, name: 'db', kind: 'db-write', healthyMs: 1000 };
    expect(scenarioFigures(chaos([], { probes: [db, api] }))).toEqual({ uptime: 0.75, uptimeProbe: 'api' });
    expect(scenarioFigures(chaos([], { probes: [db] }))).toEqual({});
    expect(scenarioFigures(chaos([], { probes: [{ ...api, coveredMs: 0 }] }))).toEqual({});
  });
});

describe("a scenario's status", () => {
  const head = { id: 'x', kind: 'rto', objective: 'RTO <30s' } as const;
  it('names each verdict that did not pass by what it observed, its detail, or its status', () => {
    const bare = { ...noData(head, 'd'), detail: undefined } as unknown as Verdict;
    expect(
      scenarioStatus([
        failed({ ...head, id: 'a' }, { observed: 'seen' }),
        noData({ ...head, id: 'b' }, 'why'),
        { ...bare, id: 'c' },
        decided({ ...head, id: 'd' }, true, { samples: 1, from: 'p' }),
      ]),
    ).toEqual({ status: 'failed', failures: ['a: seen', 'b: why', 'c: no-data'] });
    expect(scenarioStatus([])).toEqual({ status: 'failed', failures: ['no verdict: nothing was judged'] });
  });

  it('a failure with samples behind it is still a failure; a pass with no evidence at all is not a pass', () => {
    expect(scenarioStatus([failed(head, { observed: 'slow', evidence: { samples: 9, from: 'p' } })])).toEqual({
      status: 'failed',
      failures: ['x: slow'],
    });
    const bare = { ...decided(head, true, { samples: 1, from: 'p' }), evidence: undefined } as unknown as Verdict;
    expect(scenarioStatus([bare])).toEqual({ status: 'failed', failures: ['x: pass'] });
  });

  it('a scenario that did not run: an error of the drill, saying why', () => {
    expect(scenarioDidNotRun('no such file')).toEqual({
      id: 'ran',
      kind: 'scenario',
      scope: 'drill',
      source: 'slo',
      objective: 'the scenario ran',
      status: 'error',
      observed: 'no such file',
      detail: 'no such file',
    });
  });

  it('an error of another kind is a failure, not an error of the scenario', () => {
    expect(scenarioStatus([errored(head, 'boom')])).toEqual({ status: 'failed', failures: ['x: boom'] });
    const ran = { id: 'ran', kind: 'scenario', objective: 'the scenario ran' } as const;
    expect(scenarioStatus([failed(ran, { observed: 'no' })]).status).toBe('failed');
  });
});

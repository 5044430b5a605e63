// Exact texts, bounds and evidence of the chaos verdicts, on constructed inputs: each assertion here
// is one a mutation of src/slo/chaos.ts survived before (docs/mutation.md).
import { describe, expect, it } from 'vitest';
import { ExperimentSlos } from '../config/experiment.ts';
import { objective } from '../core/comparison.ts';
import type { ChaosResult, RestoreRecord } from '../record/schema.ts';
import {
  alertVerdicts,
  chaosVerdicts,
  dryRunVerdict,
  experimentVerdicts,
  faultRecovery,
  ledgerEvidence,
  restoreEvidence,
  restoreRpoEvidence,
  restoreRpoVerdict,
  restoreVerdict,
  unitOf,
  uptimeOf,
} from './chaos.ts';
import { decided, failed, noData } from './verdict.ts';

type Fault = ChaosResult['faults'][number];
type Probe = ChaosResult['probes'][number];

const probe = (over: Partial<Probe> = {}): Probe => ({
  name: 'api',
  kind: 'http',
  intervalMs: 1000,
  total: 4,
  ok: 3,
  healthyMs: 3000,
  coveredMs: 4000,
  samples: [
    [9000, 1, 2],
    [10_000, 0, 5],
    [11_000, 1, 2],
    [12_000, 1, 2],
  ],
  ...over,
});

const fault = (over: Partial<Fault> = {}): Fault => ({
  id: 'kill',
  label: 'kill the leader',
  target: 'pg-0',
  injectedAtMs: 10_000,
  events: [],
  recoveryProbe: 'api',
  rtoMs: 2000,
  recovery: 'api: healthy from 12 s',
  ...over,
});

const chaos = (over: Partial<ChaosResult> = {}): ChaosResult => ({
  experiment: 'x',
  dryRun: false,
  windowStartMs: 0,
  windowEndMs: 60_000,
  steadyState: { before: 'not checked', after: 'not checked' },
  faults: [fault()],
  probes: [probe()],
  rollbacks: [],
  ...over,
});

const restore = (over: Partial<RestoreRecord> = {}): RestoreRecord => ({
  backup: { method: 'pg_dump', file: '/tmp/b.dump', bytes: 4096 },
  restoreTookMs: 8000,
  tables: [{ table: 'orders', rows: 3, ok: true }],
  verification: [],
  ...over,
});

const ledger = (lost: { seq: number; atMs: number }[], lostSpanMs: number) => ({
  probe: 'writes',
  acknowledged: 1,
  failed: 2,
  indeterminate: 3,
  recovered: 1,
  lost,
  lostSpanMs,
  verified: 'read back from the primary',
});

const slos = (s: Record<string, string>) => ExperimentSlos.parse(s);

describe('unitOf', () => {
  it('states each objective unit as a verdict unit', () => {
    expect(unitOf(objective('0 writes', 'rpo'))).toBe('count');
    expect(unitOf(objective('100/s', 'throughput'))).toBe('req/s');
    expect(unitOf(objective('1s', 'rpo'))).toBe('ms');
    expect(unitOf(objective('99%', 'uptime'))).toBe('ratio');
  });
});

describe('alerts: exact ids, objectives, evidence and texts', () => {
  const seen = (name: string, firstSeenMs: number, labels: Record<string, string> = {}) => ({
    name,
    labels,
    firstSeenMs,
    startsAt: `at ${firstSeenMs}`,
  });
  const withAlerts = (s: ReturnType<typeof seen>[], polls = 3, failedPolls = 1, over: Partial<ChaosResult> = {}) =>
    chaos({ alerts: { polls, failedPolls, seen: s }, ...over });

  it('names the alert with its labels, and the bound in the objective', () => {
    const [v] = alertVerdicts(withAlerts([seen('Down', 12_000, { sev: 'page', team: 'db' })]), [
      { name: 'Down', labels: { sev: 'page', team: 'db' }, expect: 'fires', within: 5000 },
    ]);
    expect(v).toEqual({
      id: 'alert Down{sev="page",team="db"} fires',
      kind: 'alert',
      scope: 'experiment',
      source: 'slo',
      objective: 'Down{sev="page",team="db"} fires within 5.00 s of the first fault',
      status: 'pass',
      evidence: { samples: 2, coveredMs: 60_000, from: 'Alertmanager, 2 answered polls' },
      observed: 'seen 2.00 s after the first fault',
      detail: 'Down active since at 12000; 3 polls, 1 failed',
    });
  });

  it('any alert, no bound, never fires: the objective says so', () => {
    const [fires, silent] = alertVerdicts(withAlerts([seen('X', 11_000)], 2, 1), [
      { labels: {}, expect: 'fires' },
      { labels: {}, expect: 'silent' },
    ]);
    expect(fires).toMatchObject({
      id: 'alert any alert fires',
      objective: 'any alert fires',
      status: 'pass',
      evidence: { from: 'Alertmanager, 1 answered poll', samples: 1 },
    });
    expect(silent).toMatchObject({
      id: 'alert any alert silent',
      objective: 'any alert never fires',
      status: 'fail',
      observed: 'X fired',
      detail: '2 polls, 1 failed',
    });
  });

  it('silent: lists every alert that fired; none fired passes', () => {
    const e = [{ labels: {}, expect: 'silent' as const }];
    expect(alertVerdicts(withAlerts([seen('A', 1), seen('B', 2)]), e)[0]?.observed).toBe('A, B fired');
    expect(alertVerdicts(withAlerts([]), e)[0]).toMatchObject({ status: 'pass', observed: 'none fired' });
  });

  it('matches by name and by every label', () => {
    const e = (name: string | undefined, labels: Record<string, string>) => [
      { ...(name ? { name } : {}), labels, expect: 'silent' as const },
    ];
    const c = withAlerts([seen('Down', 1, { sev: 'page', team: 'db' })]);
    expect(alertVerdicts(c, e('Down', {}))[0]?.status).toBe('fail');
    expect(alertVerdicts(c, e('Up', {}))[0]?.status).toBe('pass');
    expect(alertVerdicts(c, e(undefined, { sev: 'page' }))[0]?.status).toBe('fail');
    expect(alertVerdicts(c, e(undefined, { sev: 'page', team: 'web' }))[0]?.status).toBe('pass');
    expect(alertVerdicts(c, e(undefined, { sev: 'ticket' }))[0]?.status).toBe('pass');
  });

  it('no answer and no Alertmanager are no-data, each saying why', () => {
    const e = [{ name: 'Down', labels: {}, expect: 'fires' as const }];
    expect(alertVerdicts(withAlerts([], 4, 4), e)[0]).toMatchObject({
      status: 'no-data',
      detail: 'Alertmanager did not answer (4 failed polls)',
    });
    expect(alertVerdicts(chaos(), e)[0]).toMatchObject({
      status: 'no-data',
      detail: 'no alertmanager.url in the environment',
    });
    // Answered by some polls: judged.
    expect(alertVerdicts(withAlerts([seen('Down', 11_000)], 4, 3), e)[0]?.status).toBe('pass');
  });

  it('the delay runs from the earliest injection to the earliest sighting, bound inclusive', () => {
    const faults = [
      fault({ id: 'a', injectedAtMs: 10_000 }),
      fault({ id: 'b', injectedAtMs: 9000 }),
      fault({ id: 'c', injectedAtMs: undefined }),
    ];
    const e = (within: number) => [{ name: 'Down', labels: {}, expect: 'fires' as const, within }];
    const c = withAlerts([seen('Down', 15_000), seen('Down', 14_000), seen('Down', 20_000)], 3, 1, { faults });
    expect(alertVerdicts(c, e(5000))[0]).toMatchObject({
      status: 'pass',
      observed: 'seen 5.00 s after the first fault',
      detail: 'Down active since at 14000; 3 polls, 1 failed',
    });
    expect(alertVerdicts(c, e(4999))[0]?.status).toBe('fail');
  });

  it('seen before the first fault: a delay of 0; no fault injected: fails a bound, passes without one', () => {
    const early = withAlerts([seen('Down', 5000)]);
    expect(alertVerdicts(early, [{ name: 'Down', labels: {}, expect: 'fires', within: 1000 }])[0]).toMatchObject({
      status: 'pass',
      observed: 'seen 0 µs after the first fault',
    });
    const none = withAlerts([seen('Down', 5000)], 3, 1, { faults: [fault({ injectedAtMs: undefined })] });
    expect(alertVerdicts(none, [{ name: 'Down', labels: {}, expect: 'fires', within: 1000 }])[0]).toMatchObject({
      status: 'fail',
      observed: 'fired (no fault was injected)',
    });
    expect(alertVerdicts(none, [{ name: 'Down', labels: {}, expect: 'fires' }])[0]?.status).toBe('pass');
  });

  it('a planned fault never injected: its row says what was required', () => {
    const c = chaos({ faults: [fault({ id: 'c', injectedAtMs: undefined })] });
    expect(chaosVerdicts(c, slos({})).find((v) => v.id === 'fault c')).toMatchObject({
      objective: 'the fault is injected',
      status: 'fail',
    });
  });

  it('never fired: fails with the polls and the evidence', () => {
    expect(alertVerdicts(withAlerts([]), [{ name: 'Down', labels: {}, expect: 'fires' }])[0]).toEqual({
      id: 'alert Down fires',
      kind: 'alert',
      scope: 'experiment',
      source: 'slo',
      objective: 'Down fires',
      status: 'fail',
      observed: 'never fired',
      detail: '3 polls, 1 failed',
      evidence: { samples: 2, coveredMs: 60_000, from: 'Alertmanager, 2 answered polls' },
    });
  });

  it('a window that ends before it starts covers 0 ms', () => {
    const c = withAlerts([], 3, 1, { windowStartMs: 5000, windowEndMs: 1000 });
    expect(alertVerdicts(c, [{ labels: {}, expect: 'silent' }])[0]?.evidence?.coveredMs).toBe(0);
    const d = withAlerts([], 3, 1, { windowStartMs: 1000, windowEndMs: 5000 });
    expect(alertVerdicts(d, [{ labels: {}, expect: 'silent' }])[0]?.evidence?.coveredMs).toBe(4000);
  });
});

describe('uptimeOf', () => {
  it('healthy time over covered time; counts only without time; nothing covered is undefined', () => {
    expect(uptimeOf(probe({ healthyMs: 1000, coveredMs: 4000 }))).toBe(0.25);
    expect(uptimeOf(probe({ healthyMs: undefined, coveredMs: 4000 }))).toBe(0);
    expect(uptimeOf(probe({ coveredMs: 0 }))).toBeUndefined();
    expect(uptimeOf(probe({ coveredMs: undefined, healthyMs: undefined, ok: 1, total: 4 }))).toBe(0.25);
    expect(uptimeOf(probe({ coveredMs: undefined, ok: 0, total: 0 }))).toBeUndefined();
  });
});

describe('restore evidence', () => {
  it('counts tables and queries, and the restore time when there is one', () => {
    expect(restoreEvidence(restore())).toEqual({
      samples: 1,
      coveredMs: 8000,
      from: '1 table and 0 queries on the restored copy',
    });
    expect(
      restoreEvidence(
        restore({
          restoreTookMs: undefined,
          tables: [],
          verification: [
            { name: 'a', ok: true, detail: '' },
            { name: 'b', ok: true, detail: '' },
          ],
        }),
      ),
    ).toEqual({ samples: 2, from: '0 tables and 2 queries on the restored copy' });
    // No restore time: no coveredMs key at all.
    expect(Object.keys(restoreEvidence(restore({ restoreTookMs: undefined })))).toEqual(['samples', 'from']);
    expect(restoreEvidence(restore({ verification: [{ name: 'a', ok: true, detail: '' }] })).from).toBe(
      '1 table and 1 query on the restored copy',
    );
  });
});

describe('faultRecovery', () => {
  it('a probe’s samples after the injection, those in flight at it included', () => {
    // Sample at 9000 with latency 2 ends at 9002 < 10 000: before. Latency 1000 ends exactly at the injection: in.
    const p = probe({
      samples: [
        [9000, 1, 2],
        [9000, 1, 1000],
        [11_000, 1, 2],
      ],
    });
    expect(faultRecovery(chaos({ probes: [p] }), fault())).toEqual({
      state: 'measured',
      rtoMs: 2000,
      evidence: { samples: 2, coveredMs: 2000, from: 'probe api: 2 samples after the injection' },
    });
    const one = probe({ samples: [[10_000, 1, 0]] });
    expect(faultRecovery(chaos({ probes: [one] }), fault())).toMatchObject({
      evidence: { samples: 1, coveredMs: 1000, from: 'probe api: 1 sample after the injection' },
    });
    // A last sample that started before the injection (in flight at it) covers no negative time.
    const inflight = probe({ intervalMs: 100, samples: [[9000, 0, 5000]] });
    expect(faultRecovery(chaos({ probes: [inflight] }), fault({ rtoMs: undefined }))).toMatchObject({
      state: 'failed',
      evidence: { samples: 1, coveredMs: 0 },
    });
  });

  it('no sample after the injection: unmeasured, saying the fault and its recovery', () => {
    const p = probe({ samples: [[1000, 1, 2]] });
    expect(faultRecovery(chaos({ probes: [p] }), fault({ rtoMs: undefined }))).toEqual({
      state: 'unmeasured',
      why: 'kill the leader: api: healthy from 12 s',
    });
    // With an RTO but nothing after the injection: measured on no sample (the verdict makes it no-data).
    expect(faultRecovery(chaos({ probes: [p] }), fault())).toEqual({
      state: 'measured',
      rtoMs: 2000,
      evidence: { samples: 0, coveredMs: 0, from: 'probe api: 0 samples after the injection' },
    });
  });

  it('a recovery probe whose samples were not kept', () => {
    expect(faultRecovery(chaos({ probes: [] }), fault())).toEqual({
      state: 'measured',
      rtoMs: 2000,
      evidence: { samples: 0, from: 'probe api: no samples kept' },
    });
    expect(faultRecovery(chaos({ probes: [probe({ name: 'other' })] }), fault())).toEqual({
      state: 'measured',
      rtoMs: 2000,
      evidence: { samples: 0, from: 'probe api: no samples kept' },
    });
  });

  it('timed by the fault itself: one sample over the RTO', () => {
    expect(
      faultRecovery(chaos(), fault({ recoveryProbe: undefined, rtoMs: 7000, recovery: 'Deployment/api whole again' })),
    ).toEqual({
      state: 'measured',
      rtoMs: 7000,
      evidence: { samples: 1, coveredMs: 7000, from: 'Deployment/api whole again' },
    });
  });

  it('an error names itself; nothing measuring is unmeasured', () => {
    expect(faultRecovery(chaos(), fault({ recoveryProbe: undefined, rtoMs: undefined, error: 'ESRCH' }))).toEqual({
      state: 'failed',
      why: 'kill the leader: ESRCH',
    });
    expect(faultRecovery(chaos(), fault({ recoveryProbe: undefined, rtoMs: undefined }))).toEqual({
      state: 'unmeasured',
      why: 'kill the leader: api: healthy from 12 s',
    });
    expect(faultRecovery(chaos(), fault({ injectedAtMs: undefined, error: 'no pod' }))).toEqual({
      state: 'unmeasured',
      why: 'kill the leader: no pod',
    });
  });

  it('a probe that kept failing fails, with its evidence', () => {
    expect(faultRecovery(chaos(), fault({ rtoMs: undefined }))).toEqual({
      state: 'failed',
      why: 'kill the leader: api: healthy from 12 s',
      evidence: { samples: 3, coveredMs: 3000, from: 'probe api: 3 samples after the injection' },
    });
  });

  it('a restore: failed with its evidence, unmeasured when nothing verified it, else measured', () => {
    const r = restore({ failure: 'pg_restore exit 1' });
    expect(faultRecovery(chaos(), fault({ recoveryProbe: undefined, rtoMs: undefined, restore: r }))).toEqual({
      state: 'failed',
      why: 'kill the leader: api: healthy from 12 s',
      evidence: { samples: 1, coveredMs: 8000, from: '1 table and 0 queries on the restored copy' },
    });
    expect(faultRecovery(chaos(), fault({ recoveryProbe: undefined, restore: restore({ tables: [] }) }))).toMatchObject(
      { state: 'unmeasured', why: expect.stringMatching(/^kill the leader: nothing verified the copy/) },
    );
    expect(faultRecovery(chaos(), fault({ rtoMs: 8000, restore: restore() }))).toEqual({
      state: 'measured',
      rtoMs: 8000,
      evidence: { samples: 1, coveredMs: 8000, from: '1 table and 0 queries on the restored copy' },
    });
  });
});

describe('steady state', () => {
  it('passes met on both sides, naming the probes and their samples', () => {
    const c = chaos({
      steadyState: { before: 'met', after: 'met', detail: 'GET /health 200' },
      probes: [probe(), probe({ name: 'db', samples: [[1, 1, 1]] })],
    });
    expect(chaosVerdicts(c, slos({}))[0]).toEqual({
      id: 'steady-state',
      kind: 'steady-state',
      scope: 'experiment',
      source: 'slo',
      objective: 'steady-state hypothesis holds before and after',
      status: 'pass',
      evidence: { samples: 5, from: 'probes api, db: 5 samples' },
      observed: 'before: met, after: met',
      detail: 'GET /health 200',
    });
  });

  it('not met fails with the evidence; one side not checked is no-data saying so', () => {
    const c = chaos({ steadyState: { before: 'met', after: 'not met' }, probes: [] });
    expect(chaosVerdicts(c, slos({}))[0]).toEqual({
      id: 'steady-state',
      kind: 'steady-state',
      scope: 'experiment',
      source: 'slo',
      objective: 'steady-state hypothesis holds before and after',
      status: 'fail',
      evidence: { samples: 0, from: 'no probe samples kept' },
      observed: 'before: met, after: not met',
    });
    // Failed before, not checked after: a failure, not no-data.
    expect(
      chaosVerdicts(chaos({ steadyState: { before: 'not met', after: 'not checked' } }), slos({}))[0]?.status,
    ).toBe('fail');
    expect(
      chaosVerdicts(chaos({ steadyState: { before: 'not checked', after: 'not met' } }), slos({}))[0]?.status,
    ).toBe('fail');
    expect(chaosVerdicts(chaos({ steadyState: { before: 'not checked', after: 'met' } }), slos({}))[0]).toMatchObject({
      status: 'no-data',
      detail: 'the steady state was not checked both before and after',
      observed: 'before: not checked, after: met',
    });
    expect(
      chaosVerdicts(chaos({ steadyState: { before: 'met', after: 'not checked', detail: 'skipped' } }), slos({}))[0],
    ).toMatchObject({ status: 'no-data', detail: 'skipped' });
  });
});

describe('fault and RTO verdicts', () => {
  it('a fault not injected fails, its label the detail', () => {
    const c = chaos({ faults: [fault({ error: 'ESRCH' })] });
    expect(chaosVerdicts(c, slos({}))).toEqual([
      {
        id: 'fault kill',
        kind: 'fault',
        scope: 'experiment',
        source: 'slo',
        objective: 'the fault is injected',
        status: 'fail',
        observed: 'ESRCH',
        detail: 'kill the leader',
      },
    ]);
  });

  it('an RTO row per fault: measured, not recovered, unmeasured', () => {
    const c = chaos({
      faults: [fault(), fault({ id: 'b', rtoMs: undefined }), fault({ id: 'c', injectedAtMs: undefined })],
    });
    // (fault c, never injected, also has a failing fault row: see chaos.test.ts)
    expect(chaosVerdicts(c, slos({ rto: '<5s' })).filter((v) => v.kind === 'rto')).toEqual([
      {
        id: 'rto kill',
        kind: 'rto',
        scope: 'experiment',
        source: 'slo',
        objective: 'RTO <5s',
        status: 'pass',
        measured: { value: 2000, unit: 'ms' },
        bound: { op: '<', value: 5000, unit: 'ms' },
        evidence: { samples: 3, coveredMs: 3000, from: 'probe api: 3 samples after the injection' },
        observed: '2.00 s',
        detail: 'kill the leader: api: healthy from 12 s',
      },
      {
        id: 'rto b',
        kind: 'rto',
        scope: 'experiment',
        source: 'slo',
        objective: 'RTO <5s',
        status: 'fail',
        evidence: { samples: 3, coveredMs: 3000, from: 'probe api: 3 samples after the injection' },
        observed: 'not recovered',
        detail: 'kill the leader: api: healthy from 12 s',
      },
      {
        id: 'rto c',
        kind: 'rto',
        scope: 'experiment',
        source: 'slo',
        objective: 'RTO <5s',
        status: 'no-data',
        detail: 'kill the leader: api: healthy from 12 s',
      },
    ]);
  });

  it('an RTO of 0 s names the probe, or "the probe" when the fault timed itself', () => {
    expect(chaosVerdicts(chaos({ faults: [fault({ rtoMs: 0 })] }), slos({ rto: '<5s' }))[0]?.observed).toBe(
      '0 s: no outage seen by api',
    );
    expect(
      chaosVerdicts(chaos({ faults: [fault({ rtoMs: 0, recoveryProbe: undefined })] }), slos({ rto: '<5s' }))[0],
    ).toMatchObject({ observed: '0 s: no outage seen by the probe' });
  });
});

describe('RPO from the ledger: rows and texts', () => {
  it('a time objective judges the lost span; a count the writes lost', () => {
    const c = chaos({
      ledger: ledger(
        [
          { seq: 3, atMs: 1 },
          { seq: 4, atMs: 2 },
        ],
        480,
      ),
      faults: [],
    });
    expect(chaosVerdicts(c, slos({ rpo: '<1s' }))).toEqual([
      {
        id: 'rpo',
        kind: 'rpo',
        scope: 'experiment',
        source: 'slo',
        objective: 'RPO <1s',
        status: 'pass',
        measured: { value: 480, unit: 'ms' },
        bound: { op: '<', value: 1000, unit: 'ms' },
        evidence: { samples: 1, from: 'write ledger of probe writes: 1 acknowledged write read back' },
        observed: '2 acknowledged writes lost, spanning 480 ms (of 1)',
        detail: '2 failed, 3 indeterminate, 1 of those found committed; read back from the primary',
      },
    ]);
    expect(chaosVerdicts(c, slos({ rpo: '<=1 writes' }))[0]).toMatchObject({
      status: 'fail',
      measured: { value: 2, unit: 'count' },
    });
    expect(chaosVerdicts(chaos({ ledger: ledger([], 0), faults: [] }), slos({ rpo: '0s' }))[0]?.observed).toBe(
      '0 acknowledged writes lost (of 1)',
    );
  });

  it('the ledger’s evidence counts the acknowledged writes', () => {
    expect(ledgerEvidence({ ...ledger([], 0), acknowledged: 2 })).toEqual({
      samples: 2,
      from: 'write ledger of probe writes: 2 acknowledged writes read back',
    });
  });

  it('with a restore, a ledger row only when a write probe or a ledger says so', () => {
    const withRestore = (over: Partial<ChaosResult>) =>
      chaosVerdicts(chaos({ probes: [], faults: [fault({ restore: restore() })], ...over }), slos({ rpo: '<1s' })).map(
        (v) => v.id,
      );
    expect(withRestore({})).toEqual(['restore kill', 'rpo restore kill']);
    expect(withRestore({ probes: [probe({ name: 'w', kind: 'db-write' })] })).toContain('rpo');
    expect(withRestore({ ledgerUnverified: 'unread' })).toContain('rpo');
    expect(withRestore({ ledger: ledger([], 0) })).toContain('rpo');
    expect(
      chaosVerdicts(chaos({ probes: [], ledgerUnverified: 'the ledger is unread' }), slos({ rpo: '<1s' })).find(
        (v) => v.id === 'rpo',
      ),
    ).toMatchObject({ status: 'no-data', detail: 'the ledger is unread' });
    expect(chaosVerdicts(chaos({ probes: [] }), slos({ rpo: '<1s' })).find((v) => v.id === 'rpo')).toMatchObject({
      status: 'no-data',
      detail: 'no db-write probe kept a ledger of acknowledged writes',
    });
  });

  it('a probe that is not a db-write probe keeps no ledger: a restore alone measures the RPO', () => {
    const c = chaos({ probes: [probe()], faults: [fault({ restore: restore() })] });
    expect(chaosVerdicts(c, slos({ rpo: '<1s' })).map((v) => v.id)).toEqual(['restore kill', 'rpo restore kill']);
  });

  it('one fault of several a restore, no ledger: the restore measures the RPO, no ledger row', () => {
    const c = chaos({ probes: [], faults: [fault(), fault({ id: 'r', restore: restore() })] });
    expect(chaosVerdicts(c, slos({ rpo: '<1s' })).map((v) => v.id)).toEqual(['restore r', 'rpo restore r']);
  });

  it('no RPO objective: no RPO row, nor a restore RPO', () => {
    const ids = chaosVerdicts(chaos({ ledger: ledger([], 0), faults: [fault({ restore: restore() })] }), slos({})).map(
      (v) => v.id,
    );
    expect(ids).toEqual(['restore kill']);
  });
});

describe('uptime rows', () => {
  it('the http probe by default, a named probe when told; the text says time and counts', () => {
    const c = chaos({ probes: [probe({ name: 'db', kind: 'db-write' }), probe()] });
    expect(chaosVerdicts(c, slos({ uptime: '>=70%' }))).toEqual([
      {
        id: 'uptime api',
        kind: 'uptime',
        scope: 'experiment',
        source: 'slo',
        objective: 'uptime >=70%',
        status: 'pass',
        measured: { value: 0.75, unit: 'ratio' },
        bound: { op: '>=', value: 0.7, unit: 'ratio' },
        evidence: { samples: 4, coveredMs: 4000, from: 'probe api: 4 samples in the window' },
        observed: '75.00% of the time (3.00 s healthy of 4.00 s; 3/4 samples every 1.00 s)',
      },
    ]);
    const dbLast = chaos({ probes: [probe(), probe({ name: 'db', kind: 'db-write' })] });
    expect(chaosVerdicts(dbLast, ExperimentSlos.parse({ uptime: '>=70%', uptimeProbe: 'db' }))[0]?.id).toBe(
      'uptime db',
    );
    const named = ExperimentSlos.parse({ uptime: '>=70%', uptimeProbe: 'db' });
    expect(chaosVerdicts(c, named)[0]?.id).toBe('uptime db');
  });

  it('a probe from before time-weighting: by counts, no time covered', () => {
    const c = chaos({ probes: [probe({ healthyMs: undefined, coveredMs: undefined, ok: 1, total: 2 })] });
    expect(chaosVerdicts(c, slos({ uptime: '>=50%' }))[0]).toMatchObject({
      status: 'pass',
      measured: { value: 0.5 },
      evidence: { samples: 2, from: 'probe api: 2 samples in the window' },
      observed: '50.00% of the time (0 µs healthy of 0 µs; 1/2 samples every 1.00 s)',
    });
    expect(chaosVerdicts(c, slos({ uptime: '>=50%' }))[0]?.evidence).not.toHaveProperty('coveredMs');
  });

  it('a probe that covered no time: no-data saying why', () => {
    expect(chaosVerdicts(chaos({ probes: [probe({ coveredMs: 0 })] }), slos({ uptime: '>=50%' }))).toEqual([
      {
        id: 'uptime api',
        kind: 'uptime',
        scope: 'experiment',
        source: 'slo',
        objective: 'uptime >=50%',
        status: 'no-data',
        detail: 'no probe sample in the window',
      },
    ]);
  });

  it('no probe: the id is bare, no-data saying why', () => {
    expect(chaosVerdicts(chaos({ probes: [] }), slos({ uptime: '>=50%' }))[0]).toMatchObject({
      id: 'uptime',
      status: 'no-data',
      detail: 'no probe sample in the window',
    });
  });
});

describe('restore verdicts: exact texts', () => {
  it('names the backup, what the copy was compared with, and the restore time', () => {
    const r = restore({
      tables: [
        { table: 'a', ok: true, comparedWith: 'the source' },
        { table: 'b', ok: true },
        { table: 'c', ok: true, comparedWith: 'expected rows' },
      ],
      verification: [{ name: 'q', ok: true, detail: '' }],
    });
    expect(restoreVerdict('1.1', r)).toEqual({
      id: 'restore 1.1',
      kind: 'restore',
      scope: 'experiment',
      source: 'slo',
      objective: 'the backup restores and the copy verifies',
      status: 'pass',
      evidence: { samples: 4, coveredMs: 8000, from: '3 tables and 1 query on the restored copy' },
      observed: '3 tables matched (compared with the source, expected rows), 1 query passed, restored in 8.00 s',
      detail: 'pg_dump: /tmp/b.dump (4096 bytes)',
    });
  });

  it('queries alone: no comparison said; no file: no detail; no size: none said', () => {
    const q = restoreVerdict(
      '1',
      restore({
        tables: [],
        restoreTookMs: undefined,
        backup: { method: 'cmd' },
        verification: [
          { name: 'q', ok: true, detail: '' },
          { name: 'r', ok: true, detail: '' },
        ],
      }),
    );
    expect(q.observed).toBe('0 tables matched, 2 queries passed, restored in 0 µs');
    expect(q).not.toHaveProperty('detail');
    expect(restoreVerdict('1', restore({ backup: { method: 'pg_dump', file: 'f' } })).detail).toBe('pg_dump: f');
  });

  it('failed: the failure and the evidence; nothing verified: no-data saying the restore time', () => {
    expect(restoreVerdict('1', restore({ failure: 'boom' }))).toMatchObject({
      status: 'fail',
      observed: 'boom',
      detail: 'pg_dump: /tmp/b.dump (4096 bytes)',
      evidence: { samples: 1 },
    });
    expect(restoreVerdict('1', restore({ tables: [] }))).toMatchObject({
      status: 'no-data',
      observed: 'restored in 8.00 s, nothing verified',
      detail: expect.stringMatching(/^nothing verified the copy: give tables/),
    });
    expect(restoreVerdict('1', restore({ tables: [], restoreTookMs: undefined })).observed).toMatch(
      /^restored in 0 µs, nothing verified$/,
    );
  });
});

describe('a restored copy’s RPO', () => {
  const c = chaos();
  it('the writes it lacks, on the ledger when it was read back, else on what the copy showed', () => {
    const r = restore({ lostWrites: 2, newestLedgerSeq: 9, rpoMs: 50, rpoBasis: 'ledger vs newest row' });
    expect(restoreRpoVerdict(c, '1', r, objective('<=1 writes', 'rpo'))).toEqual({
      id: 'rpo restore 1',
      kind: 'restore-rpo',
      scope: 'experiment',
      source: 'slo',
      objective: 'RPO <=1 writes',
      status: 'fail',
      measured: { value: 2, unit: 'count' },
      bound: { op: '<=', value: 1, unit: 'count' },
      evidence: { samples: 3, from: "write ledger against the copy's newest row (3 acknowledged writes)" },
      observed: '2 acknowledged writes missing from the copy',
      detail: 'ledger vs newest row',
    });
    expect(restoreRpoVerdict(c, '1', r, objective('<1s', 'rpo'))).toMatchObject({
      status: 'pass',
      measured: { value: 50, unit: 'ms' },
      observed: 'the copy is 50 ms old',
    });
    expect(
      restoreRpoVerdict(c, '1', restore({ lostWrites: 1, newestLedgerSeq: 9 }), objective('<=1 writes', 'rpo'))
        .observed,
    ).toBe('1 acknowledged write missing from the copy');
  });

  it('evidence: the ledger’s count, else the copy’s newest row and the writes it lacks', () => {
    const withLedger = chaos({ ledger: { ...ledger([], 0), acknowledged: 7 } });
    expect(restoreRpoEvidence(withLedger, restore({ newestLedgerSeq: 1 })).samples).toBe(7);
    expect(restoreRpoEvidence(c, restore({ newestLedgerSeq: 1 }))).toEqual({
      samples: 1,
      from: "write ledger against the copy's newest row (1 acknowledged write)",
    });
    expect(restoreRpoEvidence(c, restore({ lostWrites: 4 })).samples).toBe(4);
    expect(restoreRpoEvidence(c, restore({ lostWrites: 0 })).samples).toBe(0);
    expect(restoreRpoEvidence(c, restore({ newestDataAt: 'x', rpoMs: 1 }))).toEqual({
      samples: 1,
      from: 'the freshness query on the copy',
    });
    expect(restoreRpoEvidence(c, restore())).toEqual({ samples: 0, from: 'nothing measured the age of the copy' });
  });

  it('failed: no copy to measure; unmeasured: the basis or what to add', () => {
    expect(restoreRpoVerdict(c, '1', restore({ failure: 'x' }), objective('<1s', 'rpo'))).toMatchObject({
      status: 'fail',
      detail: 'no copy to measure',
    });
    expect(restoreRpoVerdict(c, '1', restore(), objective('<1s', 'rpo'))).toMatchObject({
      status: 'no-data',
      detail: 'nothing measured the age of the copy (add a db-write probe or a freshness query)',
    });
    expect(restoreRpoVerdict(c, '1', restore({ rpoBasis: 'no freshness' }), objective('<1s', 'rpo'))).toMatchObject({
      status: 'no-data',
      detail: 'no freshness',
    });
  });
});

describe('an experiment as a whole: what counts as backed', () => {
  const bare = chaos({ faults: [], probes: [] });
  const head = { id: 'load', kind: 'load', objective: 'x' } as const;
  const ids = (load: Parameters<typeof experimentVerdicts>[2]) =>
    experimentVerdicts(bare, { slos: slos({}), alerts: [] }, load).map((v) => v.id);

  it('a pass or a fail with samples is backed; no-data, a fail without samples, or none is not', () => {
    expect(ids([decided(head, false, { samples: 2, from: 'x' })])).toEqual(['load']);
    expect(ids([failed(head, { evidence: { samples: 0, from: 'x' } })])).toEqual(['load', 'experiment']);
    expect(ids([failed(head)])).toEqual(['load', 'experiment']);
    expect(ids([{ ...noData(head, 'x'), evidence: { samples: 5, from: 'x' } }])).toEqual(['load', 'experiment']);
  });

  it('the no-data row says what to declare', () => {
    expect(experimentVerdicts(bare, { slos: slos({}), alerts: [] })).toEqual([
      {
        id: 'experiment',
        kind: 'experiment',
        scope: 'experiment',
        source: 'slo',
        objective: 'at least one verdict rests on a measurement',
        status: 'no-data',
        detail:
          'nothing in this experiment was measured: declare probes (a steady state, an RTO, uptime), a db-write probe (RPO), a restore with tables or verify, alerts or a load',
      },
    ]);
  });
});

describe('dry run', () => {
  it('says what was resolved', () => {
    expect(dryRunVerdict(1)).toEqual({
      id: 'dry-run',
      kind: 'dry-run',
      scope: 'experiment',
      source: 'slo',
      objective: 'resolve what the experiment would hit',
      status: 'pass',
      evidence: { samples: 1, from: 'preflight of 1 injection' },
      observed: '1 injection resolved, none made',
    });
    expect(dryRunVerdict(3).observed).toBe('3 injections resolved, none made');
  });
});

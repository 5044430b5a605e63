import { describe, expect, it } from 'vitest';
import type { ChaosResult } from '../record/schema.ts';
import { ExperimentSlos } from '../config/experiment.ts';
import { alertVerdicts, chaosVerdicts, dryRunVerdict, experimentVerdicts } from './chaos.ts';
import { decided } from './verdict.ts';

const api = {
  name: 'api',
  kind: 'http',
  intervalMs: 1000,
  total: 20,
  ok: 17,
  healthyMs: 17_000,
  coveredMs: 20_000,
  samples: Array.from({ length: 20 }, (_, i) => [i * 1000, i >= 10 && i < 13 ? 0 : 1, 2] as [number, number, number]),
};

const kill: ChaosResult['faults'][number] = {
  id: 'kill',
  label: 'kill the leader',
  target: 'pg-0',
  injectedAtMs: 10_000,
  events: [],
  recoveryProbe: 'api',
  rtoMs: 4_000,
  recoveredAtMs: 14_000,
  recovery: 'api: 3 healthy samples in a row from 14.00 s',
};

function chaos(over: Partial<ChaosResult> = {}): ChaosResult {
  return {
    experiment: 'x',
    dryRun: false,
    windowStartMs: 0,
    windowEndMs: 60_000,
    steadyState: { before: 'met', after: 'met' },
    faults: [kill],
    probes: [api],
    rollbacks: [],
    ...over,
  };
}

/** A restore fault as the runner records it: verified (2 tables, 1 query) unless told otherwise. */
function restoreFault(
  over: Partial<NonNullable<ChaosResult['faults'][number]['restore']>> = {},
  tookMs = 8000,
): ChaosResult['faults'][number] {
  const restore = {
    backup: { method: 'pg_dump', file: '/tmp/b.dump', bytes: 4096 },
    restoreTookMs: tookMs,
    tables: [
      { table: 'orders', rows: 2001, ok: true, comparedWith: 'the source at the dump snapshot' },
      { table: 'users', rows: 10, ok: true, comparedWith: 'the source at the dump snapshot' },
    ],
    verification: [{ name: 'canary', ok: true, detail: '= 424242' }],
    ...over,
  };
  const verified = !restore.failure && restore.tables.length + restore.verification.length > 0;
  return {
    id: '1.1',
    label: 'backup-restore (pg_dump)',
    target: 'pg_dump → scratch',
    injectedAtMs: 500,
    events: [],
    ...(verified ? { rtoMs: tookMs } : {}),
    recovery: verified ? 'restored and verified' : 'not verified',
    restore,
  };
}

/** The SLOs as an experiment writes them, parsed as its schema parses them. */
const verdict = (c: ChaosResult, slos: Record<string, string>, id: string) =>
  chaosVerdicts(c, ExperimentSlos.parse(slos)).find((v) => v.id === id);
const ledger = (lost: { seq: number; atMs: number }[], lostSpanMs: number) => ({
  probe: 'writes',
  acknowledged: 370,
  failed: 2,
  indeterminate: 1,
  recovered: 0,
  lost,
  lostSpanMs,
  verified: 'read back from the primary',
});

describe('steady state', () => {
  it('passes only when met before and after, on the probes’ samples', () => {
    const v = verdict(chaos(), {}, 'steady-state');
    expect(v).toMatchObject({ status: 'pass', kind: 'steady-state', evidence: { samples: 20 } });
    expect(v?.evidence?.from).toBe('probes api: 20 samples');
    expect(verdict(chaos({ steadyState: { before: 'met', after: 'not met' } }), {}, 'steady-state')?.status).toBe(
      'fail',
    );
    expect(verdict(chaos({ steadyState: { before: 'not met', after: 'met' } }), {}, 'steady-state')?.status).toBe(
      'fail',
    );
  });

  it('met before and after with no sample kept is no-data, never a pass', () => {
    expect(verdict(chaos({ probes: [] }), {}, 'steady-state')?.status).toBe('no-data');
  });

  it('declared but checked only on one side is no-data', () => {
    const c = chaos({ steadyState: { before: 'met', after: 'not checked' } });
    expect(verdict(c, {}, 'steady-state')?.status).toBe('no-data');
  });

  // Issue 30 item 12: a hypothesis the user did not declare is not a failed one.
  it('no probe declared: no steady-state verdict at all, and a restore verified table by table passes alone', () => {
    const c = chaos({
      steadyState: { before: 'not checked', after: 'not checked', detail: 'no steady-state hypothesis declared' },
      probes: [],
      faults: [restoreFault()],
    });
    const all = experimentVerdicts(c, { slos: ExperimentSlos.parse({ rto: '<60s' }), alerts: [] });
    expect(all.map((v) => v.id)).toEqual(['rto 1.1', 'restore 1.1']);
    expect(all.every((v) => v.status === 'pass')).toBe(true);
    expect(all.find((v) => v.id === 'rto 1.1')).toMatchObject({
      measured: { value: 8000, unit: 'ms' },
      evidence: { samples: 3, coveredMs: 8000 },
    });
  });
});

describe('an experiment as a whole', () => {
  it('none of whose verdicts rests on a measurement is no-data', () => {
    const c = chaos({ steadyState: { before: 'not checked', after: 'not checked' }, probes: [] });
    const all = experimentVerdicts(c, { slos: ExperimentSlos.parse({}), alerts: [] });
    expect(all).toEqual([expect.objectContaining({ id: 'experiment', kind: 'experiment', status: 'no-data' })]);
    // Every verdict no-data (an RTO nothing watched) is still nothing measured.
    const rto = experimentVerdicts(c, { slos: ExperimentSlos.parse({ rto: '<5s' }), alerts: [] });
    expect(rto.map((v) => [v.id, v.status])).toEqual([
      ['rto kill', 'no-data'],
      ['experiment', 'no-data'],
    ]);
  });

  it('one backed verdict — even the load’s — is enough; no extra row', () => {
    const c = chaos({ steadyState: { before: 'not checked', after: 'not checked' }, probes: [] });
    const load = decided({ id: 'load', kind: 'load', objective: 'the load ran' }, true, { samples: 50, from: 'x' });
    expect(experimentVerdicts(c, { slos: ExperimentSlos.parse({}), alerts: [] }, [load]).map((v) => v.id)).toEqual([
      'load',
    ]);
  });

  it('a fault that could not be injected fails, whatever else held', () => {
    const c = chaos({
      faults: [
        {
          id: '1.1',
          label: 'kill',
          target: 'api',
          events: [],
          recovery: 'not injected',
          injectedAtMs: 1000,
          error: 'inject failed: ESRCH',
        },
      ],
    });
    expect(verdict(c, {}, 'fault 1.1')).toMatchObject({
      status: 'fail',
      kind: 'fault',
      observed: 'inject failed: ESRCH',
    });
  });
});

describe('an experiment stopped early', () => {
  it('a planned fault never injected fails, saying why the run stopped — steady state met or not', () => {
    const planned = { ...kill, id: '1.2', injectedAtMs: undefined, rtoMs: undefined, recovery: 'not injected' };
    const stopped = 'abort condition: probe "items 5xx" is unhealthy; no further fault injected';
    const c = chaos({ faults: [kill, planned], stoppedEarly: stopped });
    expect(verdict(c, {}, 'fault 1.2')).toMatchObject({
      status: 'fail',
      kind: 'fault',
      observed: 'not injected',
      detail: `kill the leader: ${stopped}`,
    });
    expect(verdict(c, {}, 'fault kill')).toBeUndefined();
    // Not stopped, yet never reached (the window ended first): the same.
    expect(verdict(chaos({ faults: [planned] }), {}, 'fault 1.2')).toMatchObject({
      status: 'fail',
      detail: 'kill the leader: the experiment ended before it',
    });
    // A dry run injects nothing by design.
    expect(verdict(chaos({ faults: [planned], dryRun: true }), {}, 'fault 1.2')).toBeUndefined();
  });
});

describe('a fault that watched its own recovery through an API', () => {
  const podKill = (over: Partial<ChaosResult['faults'][number]>): ChaosResult['faults'][number] => ({
    id: '1.1',
    label: 'pod-kill Deployment/stuck',
    target: 'stuck-0',
    injectedAtMs: 1000,
    events: [],
    recoveryWatchedBy: 'api',
    recovery: 'Deployment stuck not whole within 4.00 s: 1/2 Ready',
    ...over,
  });

  it('never whole again before its timeout: the RTO fails, saying what was seen — never no-data', () => {
    const c = chaos({ faults: [podKill({})], probes: [] });
    expect(verdict(c, { rto: '<60s' }, 'rto 1.1')).toMatchObject({
      status: 'fail',
      observed: 'not recovered',
      detail: 'pod-kill Deployment/stuck: Deployment stuck not whole within 4.00 s: 1/2 Ready',
      evidence: { samples: 1, from: 'Deployment stuck not whole within 4.00 s: 1/2 Ready' },
    });
  });

  it('whole again: measured against the bound', () => {
    const c = chaos({ faults: [podKill({ rtoMs: 2500, recovery: 'Deployment stuck whole again' })], probes: [] });
    expect(verdict(c, { rto: '<60s' }, 'rto 1.1')).toMatchObject({ status: 'pass', measured: { value: 2500 } });
    expect(verdict(c, { rto: '<2s' }, 'rto 1.1')).toMatchObject({ status: 'fail' });
  });
});

describe('restore verification', () => {
  it('passes on the tables and queries verified, its RTO their restore time', () => {
    const c = chaos({ faults: [restoreFault()] });
    expect(verdict(c, {}, 'restore 1.1')).toMatchObject({
      status: 'pass',
      kind: 'restore',
      evidence: { samples: 3, coveredMs: 8000 },
      observed: expect.stringMatching(
        /^2 tables matched \(compared with the source at the dump snapshot\), 1 query passed/,
      ),
    });
  });

  // Issue 30 item 6: an empty or schema-only dump restores fast and verifies nothing — that is not a pass.
  it('a copy nothing verified is no-data, and so is its RTO', () => {
    const c = chaos({ faults: [restoreFault({ tables: [], verification: [] }, 900)] });
    expect(verdict(c, {}, 'restore 1.1')).toMatchObject({
      status: 'no-data',
      detail: expect.stringContaining('nothing verified the copy'),
    });
    expect(verdict(c, { rto: '<60s' }, 'rto 1.1')?.status).toBe('no-data');
  });

  it('a copy that did not verify fails, and its RPO with it', () => {
    const c = chaos({
      faults: [
        restoreFault({
          failure: 'the copy did not verify: table orders: the copy has 0 rows',
          tables: [{ table: 'orders', rows: 0, ok: false }],
        }),
      ],
    });
    expect(verdict(c, {}, 'restore 1.1')).toMatchObject({
      status: 'fail',
      observed: expect.stringContaining('0 rows'),
    });
    expect(verdict(c, { rto: '<60s' }, 'rto 1.1')?.status).toBe('fail');
    expect(verdict(c, { rpo: '<1h' }, 'rpo restore 1.1')).toMatchObject({ status: 'fail', kind: 'restore-rpo' });
  });

  it('the copy’s RPO: its age or the writes it lacks, from the freshness query or the ledger; neither is no-data', () => {
    const fresh = chaos({ faults: [restoreFault({ newestDataAt: '2024-01-01T00:00:00Z', rpoMs: 400 })] });
    expect(verdict(fresh, { rpo: '<1s' }, 'rpo restore 1.1')).toMatchObject({
      status: 'pass',
      measured: { value: 400, unit: 'ms' },
      evidence: { samples: 1, from: 'the freshness query on the copy' },
    });
    expect(verdict(fresh, { rpo: '<100ms' }, 'rpo restore 1.1')?.status).toBe('fail');
    // A count objective and only a freshness query: the writes lost were not measured.
    expect(verdict(fresh, { rpo: '0 writes' }, 'rpo restore 1.1')?.status).toBe('no-data');
    const ledgered = chaos({
      ledger: ledger([], 0),
      faults: [restoreFault({ newestLedgerSeq: 40, lostWrites: 2, rpoMs: 120 })],
    });
    expect(verdict(ledgered, { rpo: '0 writes' }, 'rpo restore 1.1')).toMatchObject({
      status: 'fail',
      measured: { value: 2, unit: 'count' },
      evidence: { samples: 370 },
    });
    expect(verdict(ledgered, { rpo: '<=2 writes' }, 'rpo restore 1.1')?.status).toBe('pass');
    expect(verdict(chaos({ faults: [restoreFault()] }), { rpo: '<1s' }, 'rpo restore 1.1')?.status).toBe('no-data');
  });
});

describe('RPO from the ledger', () => {
  it('one lost acknowledged write fails a time objective of 0 s and a count of 0', () => {
    const c = chaos({ ledger: ledger([{ seq: 212, atMs: 10_400 }], 480) });
    expect(verdict(c, { rpo: '0s' }, 'rpo')).toMatchObject({
      status: 'fail',
      observed: '1 acknowledged write lost, spanning 480 ms (of 370)',
    });
    expect(verdict(c, { rpo: '0 writes' }, 'rpo')?.status).toBe('fail');
    expect(verdict(c, { rpo: '<1s' }, 'rpo')?.status).toBe('pass');
  });

  it('nothing lost passes; a ledger that could not be read back is no-data with the reason', () => {
    expect(verdict(chaos({ ledger: ledger([], 0) }), { rpo: '0 writes' }, 'rpo')?.status).toBe('pass');
    const unread = chaos({
      ledgerUnverified: 'the ledger could not be read back: the server behind postgres.url is in recovery (a replica)',
    });
    expect(verdict(unread, { rpo: '0 writes' }, 'rpo')).toMatchObject({
      status: 'no-data',
      detail: expect.stringContaining('in recovery'),
    });
  });
});

describe('uptime by time', () => {
  const probe = (healthyMs: number, coveredMs: number, ok: number, total: number) => ({
    name: 'api',
    kind: 'http',
    intervalMs: 1000,
    total,
    ok,
    healthyMs,
    coveredMs,
    samples: [],
  });

  it('judges healthy time over covered time', () => {
    const c = chaos({ probes: [probe(50_000, 60_000, 50, 60)] });
    expect(verdict(c, { uptime: '>=80%' }, 'uptime api')).toMatchObject({
      status: 'pass',
      measured: { value: 50_000 / 60_000, unit: 'ratio' },
      evidence: { samples: 60, coveredMs: 60_000, from: 'probe api: 60 samples in the window' },
      observed: expect.stringMatching(/^83\.33% of the time/),
    });
    expect(verdict(c, { uptime: '>=99%' }, 'uptime api')?.status).toBe('fail');
  });

  it('no sample is no-data', () => {
    expect(verdict(chaos({ probes: [probe(0, 0, 0, 0)] }), { uptime: '>=99%' }, 'uptime api')?.status).toBe('no-data');
    expect(verdict(chaos({ probes: [] }), { uptime: '>=99%' }, 'uptime')?.status).toBe('no-data');
  });
});

describe('RTO', () => {
  it('passes within the objective, fails past it, on the recovery probe’s samples after the injection', () => {
    const v = verdict(chaos(), { rto: '<5s' }, 'rto kill');
    expect(v).toMatchObject({
      status: 'pass',
      measured: { value: 4000, unit: 'ms' },
      bound: { op: '<', value: 5000, unit: 'ms' },
      evidence: { samples: 10, coveredMs: 10_000, from: 'probe api: 10 samples after the injection' },
    });
    expect(verdict(chaos(), { rto: '<3s' }, 'rto kill')?.status).toBe('fail');
  });

  it('a fault its probe never saw recover fails', () => {
    const stuck = chaos({
      faults: [{ ...kill, rtoMs: undefined, recoveredAtMs: undefined, recovery: 'never 3 healthy samples in a row' }],
    });
    expect(verdict(stuck, { rto: '<5s' }, 'rto kill')).toMatchObject({ status: 'fail', observed: 'not recovered' });
  });

  it('no-data: never injected, no probe sample after the injection, no probe at all', () => {
    const never = chaos({
      faults: [{ id: 'kill', label: 'kill', target: 'pg-0', events: [], recovery: 'not injected' }],
    });
    expect(verdict(never, { rto: '<5s' }, 'rto kill')?.status).toBe('no-data');
    const late = chaos({
      faults: [{ ...kill, injectedAtMs: 30_000, rtoMs: undefined, recovery: 'no sample after the injection' }],
    });
    expect(verdict(late, { rto: '<5s' }, 'rto kill')?.status).toBe('no-data');
    const unwatched = chaos({
      faults: [
        { ...kill, recoveryProbe: undefined, rtoMs: undefined, recovery: 'no probe measures this fault’s recovery' },
      ],
    });
    expect(verdict(unwatched, { rto: '<5s' }, 'rto kill')?.status).toBe('no-data');
  });

  it('an RTO of 0 s from a probe with samples passes; from a probe whose samples were not kept, no-data', () => {
    expect(verdict(chaos({ faults: [{ ...kill, rtoMs: 0 }] }), { rto: '<5s' }, 'rto kill')?.status).toBe('pass');
    expect(verdict(chaos({ faults: [{ ...kill, rtoMs: 0 }], probes: [] }), { rto: '<5s' }, 'rto kill')?.status).toBe(
      'no-data',
    );
  });
});

describe('alerts', () => {
  const seen = (name: string, firstSeenMs: number) => ({ name, labels: {}, firstSeenMs, startsAt: 'then' });
  const expectFires = { name: 'Down', labels: {}, expect: 'fires' as const, within: 30_000 };
  it('fires within its bound on answered polls: pass; too late or never: fail; no answer: no-data', () => {
    const c = (seenAt: number[], polls = 10, failedPolls = 0) =>
      chaos({ alerts: { polls, failedPolls, seen: seenAt.map((t) => seen('Down', t)) } });
    expect(alertVerdicts(c([12_000]), [expectFires])[0]).toMatchObject({ status: 'pass', evidence: { samples: 10 } });
    expect(alertVerdicts(c([50_000]), [expectFires])[0]?.status).toBe('fail');
    expect(alertVerdicts(c([]), [expectFires])[0]).toMatchObject({ status: 'fail', observed: 'never fired' });
    expect(alertVerdicts(c([12_000], 4, 4), [expectFires])[0]?.status).toBe('no-data');
    expect(alertVerdicts(chaos(), [expectFires])[0]?.status).toBe('no-data');
    const silent = { ...expectFires, expect: 'silent' as const };
    expect(alertVerdicts(c([]), [silent])[0]?.status).toBe('pass');
    expect(alertVerdicts(c([12_000]), [silent])[0]?.status).toBe('fail');
  });
});

describe('dry run', () => {
  it('passes on the injections resolved; none resolved is no-data', () => {
    expect(dryRunVerdict(2)).toMatchObject({ status: 'pass', kind: 'dry-run', evidence: { samples: 2 } });
    expect(dryRunVerdict(0).status).toBe('no-data');
  });
});

describe('RPO rows', () => {
  it('a restore measured by its freshness query alone has no ledger RPO row; with no restore, the missing ledger is no-data', () => {
    const fresh = chaos({ probes: [], faults: [restoreFault({ newestDataAt: '2024-01-01T00:00:00Z', rpoMs: 400 })] });
    expect(chaosVerdicts(fresh, ExperimentSlos.parse({ rpo: '<1s' })).map((v) => v.id)).toEqual([
      'steady-state',
      'restore 1.1',
      'rpo restore 1.1',
    ]);
    expect(verdict(chaos(), { rpo: '<1s' }, 'rpo')?.status).toBe('no-data');
  });
});

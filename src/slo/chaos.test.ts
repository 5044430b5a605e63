import { describe, expect, it } from 'vitest';
import type { ChaosResult } from '../record/schema.ts';
import { chaosVerdicts } from './chaos.ts';

function chaos(over: Partial<ChaosResult> = {}): ChaosResult {
  return {
    experiment: 'x',
    dryRun: false,
    windowStartMs: 0,
    windowEndMs: 60_000,
    steadyState: { before: 'met', after: 'met' },
    faults: [
      {
        id: 'kill',
        label: 'kill the leader',
        target: 'pg-0',
        injectedAtMs: 10_000,
        events: [],
        rtoMs: 4_000,
        recoveredAtMs: 14_000,
        recovery: 'probe: 3 healthy samples',
      },
    ],
    probes: [],
    rollbacks: [],
    ...over,
  };
}

const verdict = (c: ChaosResult, slos: Parameters<typeof chaosVerdicts>[1], id: string) =>
  chaosVerdicts(c, slos).find((v) => v.id === id);
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
  it('passes only when met before and after', () => {
    expect(verdict(chaos(), {}, 'steady-state')?.status).toBe('pass');
    expect(verdict(chaos({ steadyState: { before: 'met', after: 'not met' } }), {}, 'steady-state')?.status).toBe(
      'fail',
    );
  });

  it('no probe: not checked is no-data, never met', () => {
    const v = verdict(
      chaos({
        steadyState: { before: 'not checked', after: 'not checked', detail: 'no probe measures the steady state' },
      }),
      {},
      'steady-state',
    );
    expect(v).toMatchObject({ status: 'no-data', detail: 'no probe measures the steady state' });
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
      observed: expect.stringMatching(/^83\.33% of the time/),
    });
    expect(verdict(c, { uptime: '>=99%' }, 'uptime api')?.status).toBe('fail');
  });

  it('no sample is no-data', () => {
    expect(verdict(chaos({ probes: [probe(0, 0, 0, 0)] }), { uptime: '>=99%' }, 'uptime api')?.status).toBe('no-data');
    expect(verdict(chaos(), { uptime: '>=99%' }, 'uptime')?.status).toBe('no-data');
  });
});

describe('RTO', () => {
  it('passes within the objective, fails past it, and a fault never recovered fails', () => {
    expect(verdict(chaos(), { rto: '<5s' }, 'rto kill')?.status).toBe('pass');
    expect(verdict(chaos(), { rto: '<3s' }, 'rto kill')?.status).toBe('fail');
    const stuck = chaos({
      faults: [
        {
          id: 'kill',
          label: 'kill',
          target: 'pg-0',
          injectedAtMs: 10_000,
          events: [],
          recovery: 'never 3 healthy samples in a row',
        },
      ],
    });
    expect(verdict(stuck, { rto: '<5s' }, 'rto kill')).toMatchObject({ status: 'fail', observed: 'not recovered' });
    const never = chaos({
      faults: [{ id: 'kill', label: 'kill', target: 'pg-0', events: [], recovery: 'not injected' }],
    });
    expect(verdict(never, { rto: '<5s' }, 'rto kill')?.status).toBe('no-data');
  });
});

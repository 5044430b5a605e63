import { describe, expect, it } from 'vitest';
import { ChaosResult } from '../record/schema.ts';
import { parseObjective } from '../core/comparison.ts';
import { planVerdicts, scenarioFigures } from './drill.ts';

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
  const cmp = (t: string) => parseObjective(t, 'ms')!;
  const chaos = (faults: object[], extra: object = {}) =>
    ({
      experiment: 'x',
      faults,
      probes: [],
      ...extra,
    }) as unknown as ChaosResult;
  const fault = (o: object) => ({ id: '1.1', label: 'kill', injectedAtMs: 1000, ...o });
  const byId = (vs: ReturnType<typeof planVerdicts>) => Object.fromEntries(vs.map((v) => [v.id, v]));

  it('pass: recovered within the RTO, no acknowledged write lost', () => {
    const v = byId(
      planVerdicts(
        chaos([fault({ rtoMs: 4200 })], { ledger: { acknowledged: 50, lost: [], lostSpanMs: 0 } }),
        plan,
        cmp(plan.rto),
        cmp(plan.rpo),
      ),
    );
    expect(v['DR plan RTO']).toMatchObject({ status: 'pass', observed: '4.20 s' });
    expect(v['DR plan RPO']).toMatchObject({ status: 'pass', observed: '0 s: no data lost' });
  });

  it('fail: one lost write fails an RPO under a second; never recovered fails the RTO', () => {
    const v = byId(
      planVerdicts(
        chaos([fault({ recovery: 'the API never answered again' })], {
          ledger: { acknowledged: 50, lost: [{ seq: 17 }], lostSpanMs: 1500 },
        }),
        plan,
        cmp(plan.rto),
        cmp(plan.rpo),
      ),
    );
    expect(v['DR plan RTO']).toMatchObject({
      status: 'fail',
      observed: 'not recovered',
      detail: 'kill: the API never answered again',
    });
    expect(v['DR plan RPO']).toMatchObject({ status: 'fail', observed: '1.50 s' });
    expect(v['DR plan RPO']!.detail).toMatch(/1 of 50 acknowledged writes lost \(#17\)/);
  });

  it('no-data: no fault injected, or a ledger that could not be read back — never a pass', () => {
    const none = byId(planVerdicts(chaos([{ id: '1.1', label: 'kill' }]), plan, cmp(plan.rto), cmp(plan.rpo)));
    expect(none['DR plan RTO']).toMatchObject({ status: 'no-data', detail: 'no fault was injected' });
    expect(none['DR plan RPO']).toBeUndefined(); // nothing measured data: no RPO row at all
    const unread = byId(
      planVerdicts(
        chaos([fault({ rtoMs: 1000 })], { ledgerUnverified: 'the ledger could not be read: connection refused' }),
        plan,
        cmp(plan.rto),
        cmp(plan.rpo),
      ),
    );
    expect(unread['DR plan RPO']).toMatchObject({
      status: 'no-data',
      detail: 'the ledger could not be read: connection refused',
    });
  });

  it('a restore that failed fails the RPO rather than leaving it unmeasured', () => {
    const v = byId(
      planVerdicts(
        chaos([
          fault({ rtoMs: undefined, restore: { failure: 'pg_restore failed (exit 1)', tables: [], verification: [] } }),
        ]),
        plan,
        cmp(plan.rto),
        cmp(plan.rpo),
      ),
    );
    expect(v['DR plan RPO']).toMatchObject({ status: 'fail', detail: 'pg_restore failed (exit 1)' });
  });
});

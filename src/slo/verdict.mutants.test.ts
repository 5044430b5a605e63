import { describe, expect, it } from 'vitest';
import { SCOPE_OF, decided, errored, failed, inPhase, measured, noData } from './verdict.ts';

// Each case below pins what a surviving mutant changed (docs/mutation.md).
const evidence = (samples: number) => ({ samples, coveredMs: 10_000, from: `${samples} requests` });

describe('the verdict constructors, exactly as the record holds them', () => {
  it('every kind’s scope, as the report groups them', () => {
    expect(SCOPE_OF).toEqual({
      smoke: 'smoke',
      target: 'run',
      container: 'run',
      load: 'load',
      threshold: 'load',
      engine: 'load',
      generator: 'load',
      dropped: 'load',
      shards: 'load',
      prometheus: 'prometheus',
      capacity: 'capacity',
      'capacity-trend': 'capacity',
      'steady-state': 'experiment',
      experiment: 'experiment',
      fault: 'experiment',
      rollback: 'experiment',
      rto: 'experiment',
      rpo: 'experiment',
      restore: 'experiment',
      'restore-rpo': 'experiment',
      uptime: 'experiment',
      alert: 'experiment',
      'dry-run': 'experiment',
      scenario: 'drill',
      'plan-rto': 'drill',
      'plan-rpo': 'drill',
      compare: 'compare',
    });
  });

  it('each kind’s default source; a given source wins', () => {
    const source = (kind: Parameters<typeof noData>[0]['kind']) =>
      noData({ id: 'x', kind, objective: 'o' }, 'd').source;
    expect(
      (['smoke', 'threshold', 'engine', 'generator', 'dropped', 'shards', 'rto', 'load'] as const).map(source),
    ).toEqual(['smoke', 'threshold', 'consistency', 'consistency', 'consistency', 'consistency', 'slo', 'slo']);
    expect(noData({ id: 'x', kind: 'rto', objective: 'o', source: 'threshold' }, 'd').source).toBe('threshold');
  });

  it('a measured pass and fail, whole: the bound carries the unit; phase and byDefault only when given', () => {
    const head = { id: 'rto', kind: 'rto', objective: 'RTO < 30 s', phase: 'failover', byDefault: true } as const;
    expect(
      measured(head, {
        value: 1200,
        unit: 'ms',
        bound: { op: '<', value: 30_000 },
        evidence: evidence(4),
        observed: '1.2 s',
        detail: 'from the probe',
        window: { fromS: 1, toS: 9 },
      }),
    ).toEqual({
      id: 'rto',
      kind: 'rto',
      scope: 'experiment',
      source: 'slo',
      objective: 'RTO < 30 s',
      phase: 'failover',
      byDefault: true,
      status: 'pass',
      measured: { value: 1200, unit: 'ms' },
      bound: { op: '<', value: 30_000, unit: 'ms' },
      evidence: evidence(4),
      observed: '1.2 s',
      detail: 'from the probe',
      window: { fromS: 1, toS: 9 },
    });
    expect(
      measured(
        { id: 'rto', kind: 'rto', objective: 'o', byDefault: false },
        { value: 40_000, unit: 'ms', bound: { op: '<', value: 30_000 }, evidence: evidence(1) },
      ),
    ).toEqual({
      id: 'rto',
      kind: 'rto',
      scope: 'experiment',
      source: 'slo',
      objective: 'o',
      status: 'fail',
      measured: { value: 40_000, unit: 'ms' },
      bound: { op: '<', value: 30_000, unit: 'ms' },
      evidence: evidence(1),
    });
  });

  it('measured with nothing behind it is no-data: its own detail kept, else “no sample” and where from', () => {
    const head = { id: 'rto', kind: 'rto', objective: 'o' } as const;
    const m = { unit: 'ms', bound: { op: '<', value: 30_000 } } as const;
    expect(measured(head, { ...m, value: undefined, evidence: evidence(3), observed: 'never' })).toEqual({
      id: 'rto',
      kind: 'rto',
      scope: 'experiment',
      source: 'slo',
      objective: 'o',
      status: 'no-data',
      bound: { op: '<', value: 30_000, unit: 'ms' },
      evidence: evidence(3),
      observed: 'never',
      detail: 'no sample: 3 requests',
    });
    expect(measured(head, { ...m, value: 5, evidence: evidence(0), detail: 'the probe never ran' })).toMatchObject({
      status: 'no-data',
      detail: 'the probe never ran',
    });
    expect(measured(head, { ...m, value: 5, evidence: evidence(1) }).status).toBe('pass');
  });

  it('decided: fail whatever the samples, no-data without one (its detail kept), pass with one', () => {
    const head = { id: 'fault', kind: 'fault', objective: 'o' } as const;
    const base = { id: 'fault', kind: 'fault', scope: 'experiment', source: 'slo', objective: 'o' };
    expect(decided(head, false, evidence(0), { observed: 'refused' })).toEqual({
      ...base,
      status: 'fail',
      evidence: evidence(0),
      observed: 'refused',
    });
    expect(decided(head, true, evidence(0))).toEqual({
      ...base,
      status: 'no-data',
      evidence: evidence(0),
      detail: 'no sample: 0 requests',
    });
    expect(decided(head, true, evidence(0), { detail: 'nothing ran' }).detail).toBe('nothing ran');
    expect(decided(head, true, evidence(1), { observed: 'ok' })).toEqual({
      ...base,
      status: 'pass',
      evidence: evidence(1),
      observed: 'ok',
    });
  });

  it('failed, no-data and error: evidence only when given; the detail as said', () => {
    const head = { id: 'fault', kind: 'fault', objective: 'o' } as const;
    const base = { id: 'fault', kind: 'fault', scope: 'experiment', source: 'slo', objective: 'o' };
    expect(failed(head)).toEqual({ ...base, status: 'fail' });
    expect(failed(head, { evidence: evidence(1), detail: 'd' })).toEqual({
      ...base,
      status: 'fail',
      evidence: evidence(1),
      detail: 'd',
    });
    expect(noData(head, 'none', { observed: 'x' })).toEqual({
      ...base,
      status: 'no-data',
      observed: 'x',
      detail: 'none',
    });
    expect(errored(head, 'gone', { window: { fromS: 0, toS: 1 } })).toEqual({
      ...base,
      status: 'error',
      detail: 'gone',
      window: { fromS: 0, toS: 1 },
    });
    expect(inPhase(failed(head), 'db')).toEqual({ ...base, id: 'db › fault', phase: 'db', status: 'fail' });
  });
});

describe('what a verdict leaves out', () => {
  it('no phase, observed, detail or window key at all when none was given (not one set to undefined)', () => {
    const v = decided({ id: 'fault', kind: 'fault', objective: 'o' }, true, evidence(1));
    expect(Object.keys(v).sort()).toEqual(['evidence', 'id', 'kind', 'objective', 'scope', 'source', 'status']);
    const m = measured(
      { id: 'rto', kind: 'rto', objective: 'o' },
      { value: 1, unit: 'ms', bound: { op: '<', value: 2 }, evidence: evidence(1) },
    );
    expect(Object.keys(m).sort()).toEqual([
      'bound',
      'evidence',
      'id',
      'kind',
      'measured',
      'objective',
      'scope',
      'source',
      'status',
    ]);
  });

  it('no evidence at all (an untyped caller) is no-data, never a pass', () => {
    const head = { id: 'fault', kind: 'fault', objective: 'o' } as const;
    expect(decided(head, true, undefined as never, { detail: 'no evidence' })).toMatchObject({
      status: 'no-data',
      detail: 'no evidence',
    });
  });
});

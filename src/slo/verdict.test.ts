import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Verdict } from '../record/schema.ts';
import { decided, errored, failed, inPhase, measured, noData } from './verdict.ts';

const head = { id: 'http_req_duration p(95)<200', kind: 'threshold', objective: 'p(95)<200' } as const;
const evidence = (samples: number) => ({ samples, coveredMs: 10_000, from: `HDR histogram of ${samples} requests` });

describe('the verdict constructors', () => {
  it('a measured number passes or fails by its bound, with its value, bound and evidence', () => {
    const pass = measured(head, { value: 150, unit: 'ms', bound: { op: '<', value: 200 }, evidence: evidence(1000) });
    expect(pass).toMatchObject({
      status: 'pass',
      kind: 'threshold',
      scope: 'load',
      source: 'threshold',
      measured: { value: 150, unit: 'ms' },
      bound: { op: '<', value: 200, unit: 'ms' },
      evidence: { samples: 1000 },
    });
    const fail = measured(head, { value: 250, unit: 'ms', bound: { op: '<', value: 200 }, evidence: evidence(1000) });
    expect(fail.status).toBe('fail');
    const atBound = measured(head, { value: 200, unit: 'ms', bound: { op: '<', value: 200 }, evidence: evidence(9) });
    expect(atBound.status).toBe('fail');
  });

  it('nothing measured is no-data, never a pass: no value, not a finite number, or no samples behind a passing value', () => {
    const bound = { op: '<', value: 200 } as const;
    for (const [value, samples] of [
      [undefined, 10],
      [Number.NaN, 10],
      [Number.POSITIVE_INFINITY, 10],
      [150, 0],
    ] as const) {
      const v = measured(head, { value, unit: 'ms', bound, evidence: evidence(samples) });
      expect(v.status).toBe('no-data');
      expect(v.detail).toMatch(/no sample/);
    }
    expect(decided(head, true, evidence(0)).status).toBe('no-data');
    expect(decided(head, true, evidence(1)).status).toBe('pass');
    expect(decided(head, false, evidence(0)).status).toBe('fail');
  });

  it('for any value, bound and sample count, a pass has samples behind it and parses as a record verdict', () => {
    const ops = fc.constantFrom('<', '<=', '>', '>=', '==', '!=') as fc.Arbitrary<
      '<' | '<=' | '>' | '>=' | '==' | '!='
    >;
    fc.assert(
      fc.property(
        fc.option(fc.double({ noNaN: false }), { nil: undefined }),
        ops,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.nat(5),
        (value, op, bound, samples) => {
          const v = measured(head, { value, unit: 'ms', bound: { op, value: bound }, evidence: evidence(samples) });
          if (v.status === 'pass') expect(v.evidence.samples).toBeGreaterThan(0);
          expect(Verdict.safeParse(v).success).toBe(true);
        },
      ),
    );
  });

  it('the record refuses a pass without evidence, or with none of its samples', () => {
    const pass = decided(head, true, evidence(3));
    const { evidence: _dropped, ...bare } = pass;
    expect(Verdict.safeParse(pass).success).toBe(true);
    expect(Verdict.safeParse(bare).success).toBe(false);
    expect(Verdict.safeParse({ ...pass, evidence: evidence(0) }).success).toBe(false);
    expect(Verdict.safeParse({ ...bare, status: 'fail' }).success).toBe(true);
  });

  it('failures, no-data and errors say why; a phase prefixes the id and is kept as a field', () => {
    expect(failed(head, { observed: 'refused' })).toMatchObject({ status: 'fail', observed: 'refused' });
    expect(noData(head, 'no request completed')).toMatchObject({ status: 'no-data', detail: 'no request completed' });
    expect(errored(head, 'k6 is gone')).toMatchObject({ status: 'error', detail: 'k6 is gone' });
    const v = inPhase(decided({ id: 'rto 1.1', kind: 'rto', objective: 'RTO <30s' }, true, evidence(5)), 'db failover');
    expect(v).toMatchObject({ id: 'db failover › rto 1.1', phase: 'db failover', scope: 'experiment' });
  });
});

describe('the constructors are the only way a pass is made', () => {
  it("no source file outside slo/verdict.ts writes a 'pass' status", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
      );
    const src = new URL('..', import.meta.url).pathname;
    const offenders = files(src)
      .filter((f) => !/\.test\.ts$|test-util\.ts$|slo\/verdict\.ts$|record\/schema\.ts$/.test(f))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ f, line, n: i + 1 }))
          .filter(({ line }) => /['"]pass['"]/.test(line) && !/[!=]==?\s*['"]pass['"]/.test(line)),
      )
      .filter(({ line }) => !/\{\s*good:\s*'pass'/.test(line))
      .map(({ f, n, line }) => `${f.slice(src.length)}:${n}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });
});

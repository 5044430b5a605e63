// Exact parses, refusals and printed forms of the comparator and the objectives, on constructed
// inputs: each assertion here is one a mutation of src/core/comparison.ts survived before
// (docs/mutation.md).
import { describe, expect, it } from 'vitest';
import {
  formatObjective,
  formatPercent,
  holds,
  type Metric,
  objective,
  parseNumericComparison,
  parseObjective,
  parsePercent,
} from './comparison.ts';

const problem = (text: string, metric: Metric) => {
  const p = parseObjective(text, metric);
  return p.ok ? `parsed as ${formatObjective(p.objective)}` : p.problem;
};

describe('holds: each operator on both sides of its bound', () => {
  it('judges below, at and above', () => {
    const at = (op: '<' | '<=' | '>' | '>=' | '==' | '!=') => [4, 5, 6].map((x) => holds(x, { op, value: 5 }));
    expect(at('<')).toEqual([true, false, false]);
    expect(at('<=')).toEqual([true, true, false]);
    expect(at('>')).toEqual([false, false, true]);
    expect(at('>=')).toEqual([false, true, true]);
    expect(at('==')).toEqual([false, true, false]);
    expect(at('!=')).toEqual([true, false, true]);
  });
});

describe('parseNumericComparison: the whole text, every number form', () => {
  it('reads exponents, decimals and several digits; nothing before or after', () => {
    expect(parseNumericComparison('<1e3')).toEqual({ op: '<', value: 1000 });
    expect(parseNumericComparison('<1e10')).toEqual({ op: '<', value: 1e10 });
    expect(parseNumericComparison('<=12.25')).toEqual({ op: '<=', value: 12.25 });
    expect(parseNumericComparison('>10')).toEqual({ op: '>', value: 10 });
    expect(parseNumericComparison('>  10  ')).toEqual({ op: '>', value: 10 });
    expect(parseNumericComparison('\t==2')).toEqual({ op: '==', value: 2 });
    expect(parseNumericComparison('x<5')).toBeUndefined();
    expect(parseNumericComparison('<5x')).toBeUndefined();
    expect(parseNumericComparison('<5.')).toBeUndefined();
    expect(parseNumericComparison('<5e')).toBeUndefined();
    expect(parseNumericComparison('<a5')).toBeUndefined();
    expect(parseNumericComparison('<')).toBeUndefined();
    expect(parseNumericComparison('=5')).toBeUndefined();
  });
});

describe('parseObjective: every metric names itself and what to write', () => {
  it('says, per metric, what its text is not', () => {
    expect(problem('soon', 'rpo')).toBe(
      'RPO "soon" is not a count of writes ("0 writes") or a duration ("30s", "250ms", "2h"): write "0 writes" or "<=1s"',
    );
    expect(problem('fast', 'throughput')).toBe('throughput "fast" is not a rate ("100/s"): write ">=100/s"');
    expect(problem('fast', 'latency')).toBe('latency "fast" is not a duration ("30s", "250ms", "2h"): write "<=200ms"');
    expect(problem('low', 'error-rate')).toBe('error rate "low" is not a percentage ("99.9%"): write "<=1%"');
    expect(problem('none', 'lost-writes')).toBe(
      'lost writes "none" is not a count of writes ("0 writes"): write "0 writes"',
    );
    expect(problem('1.5', 'rto')).toBe(
      'RTO "1.5" is a number without a unit (a duration ("30s", "250ms", "2h")): write "<=30s"',
    );
  });

  it('a number with something around it is not "a number without a unit"', () => {
    expect(problem('a30', 'rto')).toMatch(/is not a duration/);
    expect(problem('30a', 'rto')).toMatch(/is not a duration/);
    expect(problem('3.', 'rto')).toMatch(/is not a duration/);
    expect(problem('1.25', 'rto')).toMatch(/is a number without a unit/);
    expect(problem('.5', 'rto')).toMatch(/is not a duration/);
  });

  it('says the direction of each metric when the operator is against it', () => {
    expect(problem('>1%', 'error-rate')).toBe(
      'error rate ">1%" would pass a worse error rate and fail a better one (error rate is at most): write "<=1%"',
    );
    expect(problem('<10/s', 'throughput')).toBe(
      'throughput "<10/s" would pass a worse throughput and fail a better one (throughput is at least): write ">=100/s"',
    );
    expect(problem('>=1s', 'rpo')).toMatch(/\(RPO is at most\)/);
    expect(problem('<=99%', 'uptime')).toMatch(/\(uptime is at least\)/);
  });

  it('reads operators with spaces around them and the text with spaces around it', () => {
    expect(objective('  >=  99 %  ', 'uptime')).toEqual({ metric: 'uptime', unit: 'ratio', op: '>=', value: 0.99 });
    expect(objective('< 2h', 'rto')).toEqual({ metric: 'rto', unit: 'ms', op: '<', value: 7_200_000 });
    expect(objective('= 100%', 'uptime')).toMatchObject({ op: '>=', value: 1 });
    expect(objective('≥ 1/s', 'throughput')).toMatchObject({ op: '>=', value: 1 });
    expect(objective('> 1/s', 'throughput')).toMatchObject({ op: '>', value: 1 });
    expect(problem('>', 'rto')).toBe('RTO ">" has no bound: write "<=30s"');
    expect(problem('  ', 'rto')).toMatch(/has no bound/);
  });

  it('the extreme: 100 % for a ratio floor, 0 for a ceiling, none for a rate', () => {
    expect(objective('100%', 'uptime')).toMatchObject({ op: '>=', value: 1 });
    expect(objective('100%', 'error-rate')).toMatchObject({ op: '<=', value: 1 });
    expect(objective('>99.99%', 'uptime')).toMatchObject({ op: '>', value: 0.9999 });
    expect(objective('>0/s', 'throughput')).toMatchObject({ op: '>', value: 0 });
    expect(problem('==0/s', 'throughput')).toMatch(/passes only exactly that and fails anything better/);
    expect(problem('==1%', 'error-rate')).toMatch(/passes only exactly that/);
    expect(objective('==0%', 'error-rate')).toMatchObject({ op: '<=', value: 0 });
    expect(objective('==0s', 'rto')).toMatchObject({ op: '<=', value: 0 });
    expect(problem('<0 writes', 'rpo')).toBe('RPO "<0 writes" can never be met: write "0 writes" or "<=1s"');
    expect(problem('<0%', 'error-rate')).toMatch(/can never be met/);
    expect(objective('<1%', 'error-rate')).toMatchObject({ op: '<', value: 0.01 });
    expect(problem('100.01%', 'error-rate')).toBe('error rate "100.01%" is above 100%: write "<=1%"');
    expect(problem('!=99%', 'uptime')).toBe('uptime "!=99%" can pass a worse value than it fails: write ">=99.9%"');
  });

  it('the units each metric reads: writes with or without the word, rates with or without req', () => {
    expect(objective('3 write', 'lost-writes')).toMatchObject({ unit: 'writes', value: 3 });
    expect(objective('12writes', 'lost-writes')).toMatchObject({ value: 12 });
    expect(objective('12  writes', 'lost-writes')).toMatchObject({ value: 12 });
    expect(problem('1.5 writes', 'lost-writes')).toMatch(/is not a count of writes/);
    expect(problem('x3 writes', 'lost-writes')).toMatch(/is not a count/);
    expect(problem('3 writesx', 'lost-writes')).toMatch(/is not a count/);
    expect(objective('100 req/s', 'throughput')).toMatchObject({ unit: 'per-second', value: 100 });
    expect(objective('2.5/s', 'throughput')).toMatchObject({ value: 2.5 });
    expect(objective('25req/s', 'throughput')).toMatchObject({ value: 25 });
    expect(problem('x25/s', 'throughput')).toMatch(/is not a rate/);
    expect(problem('25/sx', 'throughput')).toMatch(/is not a rate/);
    expect(problem('2./s', 'throughput')).toMatch(/is not a rate/);
    expect(problem('25 /s', 'throughput')).toMatch(/parsed as >=25\/s/);
  });

  it('objective() throws the problem', () => {
    expect(() => objective('soon', 'rto')).toThrow(
      'RTO "soon" is not a duration ("30s", "250ms", "2h"): write "<=30s"',
    );
  });
});

describe('percentages', () => {
  it('parse with spaces and decimals, nothing else', () => {
    expect(parsePercent(' 12.5 % ')).toBe(0.125);
    expect(parsePercent('100%')).toBe(1);
    expect(parsePercent('x5%')).toBeUndefined();
    expect(parsePercent('5%x')).toBeUndefined();
    expect(parsePercent('5.%')).toBeUndefined();
    expect(parsePercent('5')).toBeUndefined();
  });

  it('print the shortest form that parses back, with no exponent', () => {
    expect(formatPercent(0.999)).toBe('99.9%');
    expect(formatPercent(1e-9)).toBe('0.0000001%');
    expect(formatPercent(1e-23)).toBe('0%');
    expect(formatPercent(0.5)).toBe('50%');
    expect(formatPercent(1e20)).toBe('10000000000000000000000%');
    expect(formatPercent(0.1 + 0.2)).toBe('30.000000000000004%');
    expect(parsePercent(formatPercent(0.1 + 0.2))).toBe(0.1 + 0.2);
  });
});

describe('durations printed', () => {
  const ms = (value: number, op: '<' | '<=' = '<=') => formatObjective({ op, value, unit: 'ms' });
  it('the shortest text; on a tie of length, the larger unit', () => {
    expect(ms(324_000)).toBe('<=5.4m');
    expect(ms(5400)).toBe('<=5.4s');
    expect(ms(1)).toBe('<=1ms');
    expect(ms(0.5)).toBe('<=0.5ms');
    expect(ms(3_600_000)).toBe('<=1h');
    expect(ms(3_601_000)).toBe('<=3601s');
    expect(ms(1234)).toBe('<=1.234s');
    expect(ms(-5)).toBe('<=-5ms');
    expect(ms(0, '<')).toBe('<0s');
  });

  it('writes and rates as written', () => {
    expect(formatObjective({ op: '<=', value: 3, unit: 'writes' })).toBe('<=3 writes');
    expect(formatObjective({ op: '>', value: 2.5, unit: 'per-second' })).toBe('>2.5/s');
  });
});

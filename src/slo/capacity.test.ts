import { describe, expect, it } from 'vitest';
import { encode, newHistogram, summarise } from '../measure/histogram.ts';
import type { CapacityResult, LoadResult } from '../record/schema.ts';
import { capacityVerdicts, judgeStep, limitingFactor } from './capacity.ts';

const cap = (o: Partial<CapacityResult>) =>
  ({
    objectives: ['p(95)<200'],
    steps: [{ offeredRps: 100, requests: 300, durationMs: 3000 }],
    sustainableRps: 800,
    statement: 'sustainable: 800 req/s',
    trend: [],
    ...o,
  }) as unknown as CapacityResult;
const byId = (c: CapacityResult) => Object.fromEntries(capacityVerdicts(c, { tolerance: 0.1 }).map((v) => [v.id, v]));

describe('capacity verdicts', () => {
  it('pass: a sustainable rate found; no-data: no step ran; fail: none sustainable', () => {
    expect(byId(cap({})).capacity).toMatchObject({ status: 'pass', observed: 'sustainable: 800 req/s' });
    expect(byId(cap({ steps: [], statement: 'the target did not answer' })).capacity).toMatchObject({
      status: 'no-data',
    });
    expect(byId(cap({ sustainableRps: 0, statement: 'not sustainable at 50 req/s' })).capacity!.status).toBe('fail');
  });

  it('the generator as the limit is never the target’s capacity: fail, and no trend judged', () => {
    const v = byId(cap({ limitedBy: 'generator', trend: [{ runId: 'a', startedAt: '', sustainableRps: 900 }] }));
    expect(v.capacity).toMatchObject({ status: 'fail' });
    expect(v.capacity!.detail).toMatch(/the generator, not the target, was the limit/);
    expect(v['capacity trend']).toBeUndefined();
  });

  it('trend: against the median of earlier runs within the tolerance — 10 % down fails, within passes', () => {
    const trend = [700, 1000, 1000].map((r, i) => ({ runId: String(i), startedAt: '', sustainableRps: r }));
    expect(byId(cap({ trend, sustainableRps: 900 }))['capacity trend']).toMatchObject({
      status: 'pass',
      observed: '900 req/s (-10.0%)',
    });
    const v = byId(cap({ trend, sustainableRps: 899 }))['capacity trend']!;
    expect(v).toMatchObject({ status: 'fail', observed: '899 req/s (-10.1%)' });
    expect(v.objective).toBe('capacity ≥ 90% of the median of the last 3 run(s) (1 000 req/s), i.e. ≥ 900 req/s');
  });
});

function block(valuesMs: number[]) {
  const h = newHistogram();
  for (const v of valuesMs) h.recordValue(Math.round(v * 1000));
  const latency = summarise(h);
  return { histogram: encode(h), ...(latency ? { latency } : {}) };
}

/** A 3 s step at 100 req/s: `requests` sent (10 ms each), `dropped` never sent, `failed` of them failing. */
function step(o: {
  requests?: number;
  dropped?: number;
  kind?: 'http' | 'postgres' | 'redis';
  network?: number;
  lagP99Ms?: number;
}): LoadResult {
  const requests = o.requests ?? 300;
  const network = o.network ?? 0;
  const http = (o.kind ?? 'http') === 'http';
  const t = {
    requests,
    failed: network,
    errors: network ? { refused: network } : {},
    // A database's replies carry no HTTP status.
    statuses: http && requests > network ? { 200: requests - network } : {},
    bytesIn: 0,
    bytesOut: 0,
  };
  const lat = block(Array(requests).fill(10));
  return {
    engine: 'embedded',
    profile: 'p',
    executor: 'constant-arrival-rate',
    model: 'open',
    workers: 1,
    startedAtMs: 0,
    durationMs: 3000,
    scheduledMs: 3000,
    generator: {
      busiestWorkerElu: 0.95,
      lag: block([...Array(980).fill(0.05), ...Array(20).fill(o.lagP99Ms ?? 0.1)]),
    },
    totals: { ...t, iterations: requests, droppedIterations: o.dropped ?? 0, interruptedIterations: 0, maxVus: 10 },
    all: lat,
    byName: { r: { totals: t, method: http ? 'GET' : 'SELECT', ...(o.kind ? { kind: o.kind } : {}), ...lat } },
    iterationDuration: lat,
    series: [],
  };
}

describe('a capacity step judged (slo/capacity.ts)', () => {
  const slo = { http_req_duration: ['p(95)<60'], http_req_failed: ['rate<0.01'] };

  it('good: every threshold met with samples, every arrival sent, answers came', () => {
    expect(judgeStep(step({}), slo)).toMatchObject({ outcome: 'good', factors: [], targetGone: false });
  });

  it('a step with 1 % of its arrivals dropped is not good (issue 30 item 7)', () => {
    const j = judgeStep(step({ requests: 297, dropped: 3 }), slo);
    expect(j).toMatchObject({ outcome: 'bad', why: 'dropped_iterations 3 of 300', factors: ['dropped iterations'] });
    expect(limitingFactor(j.factors, 'bracketed')).toBe('dropped iterations');
  });

  it('drops made on time are the step’s; drops made by a loop behind its schedule are the generator’s', () => {
    // The lag covers dropped arrivals too (how late the loop got to each): drops at a lag within
    // the bound found no free connection on time — the target did not take the rate.
    const onTime = judgeStep(step({ requests: 297, dropped: 3, lagP99Ms: 0.7 }), slo);
    expect(onTime).toMatchObject({ outcome: 'bad', factors: ['dropped iterations'] });
    // The same drops made 40 ms late, no latency verdict turning on the lag: the generator's.
    const late = judgeStep(step({ requests: 297, dropped: 3, lagP99Ms: 40 }), slo);
    expect(late).toMatchObject({ outcome: 'inconclusive', factors: ['generator'] });
    expect(late.why).toMatch(/^the generator fell behind its schedule \(send lag p\(99\) 40/);
  });

  it('inconclusive when the send lag could decide a latency verdict: the generator’s, not the target’s', () => {
    // p(95)=10 ms passes p(95)<12 lag and all: the lag decides nothing, the step is good.
    expect(judgeStep(step({ lagP99Ms: 40 }), { http_req_duration: ['p(95)<12'] }).outcome).toBe('good');
    // p(95)=10 ms fails p(95)<9.5, but would pass with 40 ms of lag taken off.
    const late = judgeStep(step({ lagP99Ms: 40 }), { http_req_duration: ['p(95)<9.5'] });
    expect(late).toMatchObject({ outcome: 'inconclusive', factors: ['generator'] });
    expect(late.why).toMatch(/^the generator fell behind its schedule \(send lag p\(99\) 40/);
    expect(limitingFactor(late.factors, 'generator')).toBe('generator');
  });

  it('a SQL-only or Redis-only step is judged on its own metrics: answers without HTTP statuses (issue 30 item 7)', () => {
    for (const kind of ['postgres', 'redis'] as const) {
      const failedMetric = kind === 'postgres' ? 'db_query_failed' : 'redis_cmd_failed';
      const latency = kind === 'postgres' ? 'db_query_duration' : 'redis_cmd_duration';
      const t = { [latency]: ['p(95)<60'], [failedMetric]: ['rate<0.01'] };
      expect(judgeStep(step({ kind }), t)).toMatchObject({ outcome: 'good', targetGone: false });
      const down = judgeStep(step({ kind, network: 300 }), t);
      expect(down).toMatchObject({ outcome: 'bad', targetGone: true, why: 'no response at all' });
      expect(limitingFactor(down.factors, 'bracketed')).toBe('target stopped answering');
    }
  });

  it('the failing thresholds name the limit: latency, errors, or both', () => {
    const slow = judgeStep(step({}), { http_req_duration: ['p(95)<5'], http_req_failed: ['rate<0.01'] });
    expect(slow.outcome).toBe('bad');
    expect(slow.why).toMatch(/^http_req_duration p\(95\)<5 p\(95\)=10\.\d+ ms$/);
    expect(limitingFactor(slow.factors, 'bracketed')).toBe('latency');
    const both = judgeStep(step({ network: 30 }), { http_req_duration: ['p(95)<5'], http_req_failed: ['rate<0.01'] });
    expect(limitingFactor(both.factors, 'bracketed')).toBe('latency and errors');
    expect(limitingFactor(undefined, 'max rate')).toBe('max rate');
  });

  it('a threshold with no samples is not good: nothing sent is never a good step', () => {
    expect(judgeStep(step({ requests: 0 }), slo).outcome).toBe('bad');
  });
});

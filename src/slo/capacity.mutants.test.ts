import { describe, expect, it } from 'vitest';
import { encode, newHistogram, summarise } from '../measure/histogram.ts';
import type { CapacityResult, LoadResult } from '../record/schema.ts';
import { capacityVerdicts, judgeStep, limitingFactor, rps } from './capacity.ts';

// Each case below pins what a surviving mutant changed (docs/mutation.md).
const cap = (o: Partial<CapacityResult>) =>
  ({
    objectives: ['p(95)<200', 'rate<0.01'],
    steps: [
      { offeredRps: 100, requests: 300, durationMs: 3000 },
      { offeredRps: 200, requests: 600, durationMs: 3000 },
    ],
    sustainableRps: 800,
    statement: 'sustainable: 800 req/s',
    trend: [],
    ...o,
  }) as unknown as CapacityResult;
const trendOf = (...r: number[]) => r.map((x, i) => ({ runId: String(i), startedAt: '', sustainableRps: x }));
const head = {
  id: 'capacity',
  kind: 'capacity',
  scope: 'capacity',
  source: 'slo',
  objective: 'a sustainable rate under p(95)<200, rate<0.01',
};

describe('capacity verdicts, exactly as the record holds them', () => {
  it('pass: the rate above 0 req/s, backed by every step’s requests and time', () => {
    expect(capacityVerdicts(cap({}), { tolerance: 0.1 })).toEqual([
      {
        ...head,
        status: 'pass',
        measured: { value: 800, unit: 'req/s' },
        bound: { op: '>', value: 0, unit: 'req/s' },
        evidence: { samples: 900, coveredMs: 6000, from: '2 steps of load' },
        observed: 'sustainable: 800 req/s',
      },
    ]);
    const one = capacityVerdicts(cap({ steps: [{ offeredRps: 100, requests: 300, durationMs: 3000 }] as never }), {
      tolerance: 0.1,
    });
    expect(one[0]!.evidence).toEqual({ samples: 300, coveredMs: 3000, from: '1 step of load' });
  });

  it('no step is no-data saying the statement, with no trend judged; the generator as the limit fails with evidence', () => {
    expect(
      capacityVerdicts(cap({ steps: [], statement: 'nothing ran', trend: trendOf(900) }), { tolerance: 0.1 }),
    ).toEqual([{ ...head, status: 'no-data', detail: 'nothing ran' }]);
    expect(capacityVerdicts(cap({ limitedBy: 'generator' } as never), { tolerance: 0.1 })).toEqual([
      {
        ...head,
        status: 'fail',
        evidence: { samples: 900, coveredMs: 6000, from: '2 steps of load' },
        observed: 'sustainable: 800 req/s',
        detail: 'the generator, not the target, was the limit: this is not the target’s capacity',
      },
    ]);
  });

  it('trend: the median of an even count is the mean of the middle two; the bound is the tolerance under it', () => {
    const [, t] = capacityVerdicts(cap({ trend: trendOf(1000, 400, 600, 2000), sustainableRps: 880 }), {
      tolerance: 0.2,
    });
    expect(t).toEqual({
      id: 'capacity trend',
      kind: 'capacity-trend',
      scope: 'capacity',
      source: 'slo',
      objective: 'capacity ≥ 80% of the median of the last 4 run(s) (800 req/s), i.e. ≥ 640 req/s',
      status: 'pass',
      measured: { value: 880, unit: 'req/s' },
      bound: { op: '>=', value: 640, unit: 'req/s' },
      evidence: { samples: 900, coveredMs: 6000, from: "this run's steps and 4 earlier run(s)" },
      observed: '880 req/s (+10.0%)',
    });
    const [, down] = capacityVerdicts(cap({ trend: trendOf(1000, 400, 600, 2000), sustainableRps: 639 }), {
      tolerance: 0.2,
    });
    expect(down).toMatchObject({ status: 'fail', observed: '639 req/s (-20.1%)' });
    const [, same] = capacityVerdicts(cap({ trend: trendOf(800), sustainableRps: 800 }), { tolerance: 0.2 });
    expect(same).toMatchObject({ status: 'pass', observed: '800 req/s (+0.0%)' });
  });

  it('trend: an odd count takes the middle one; earlier runs that sustained nothing are no change', () => {
    const [, odd] = capacityVerdicts(cap({ trend: trendOf(900, 100, 500), sustainableRps: 500 }), { tolerance: 0 });
    expect(odd).toMatchObject({ status: 'pass', bound: { value: 500 }, observed: '500 req/s (+0.0%)' });
    const [, zero] = capacityVerdicts(cap({ trend: trendOf(0), sustainableRps: 300 }), { tolerance: 0.1 });
    expect(zero).toMatchObject({ status: 'pass', bound: { value: 0 }, observed: '300 req/s (+0.0%)' });
  });

  it('rates are written with spaces between thousands', () => {
    expect(rps(1234567)).toBe('1 234 567 req/s');
  });
});

describe('the limiting factor named', () => {
  it('the stop reason when the generator or a gone target stopped it, whatever the step said', () => {
    expect(limitingFactor(['latency'], 'generator')).toBe('generator');
    expect(limitingFactor(['latency'], 'target stopped answering')).toBe('target stopped answering');
    expect(limitingFactor(['latency', 'target stopped answering'], 'bracketed')).toBe('target stopped answering');
    expect(limitingFactor([], 'bracketed')).toBe('thresholds');
    expect(limitingFactor(undefined, 'max rate')).toBe('max rate');
  });
});

function block(valuesMs: number[]) {
  const h = newHistogram();
  for (const v of valuesMs) h.recordValue(Math.round(v * 1000));
  const latency = summarise(h);
  return { histogram: encode(h), ...(latency ? { latency } : {}) };
}

/** A 3 s HTTP step: `requests` sent (10 ms each), `dropped` never sent, `network` of them unanswered. */
function step(o: { requests?: number; dropped?: number; network?: number; lagP99Ms?: number }): LoadResult {
  const requests = o.requests ?? 300;
  const network = o.network ?? 0;
  const t = {
    requests,
    failed: network,
    errors: network ? { refused: network } : {},
    statuses: requests > network ? { 200: requests - network } : {},
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
    byName: { r: { totals: t, method: 'GET', ...lat } },
    iterationDuration: lat,
    series: [],
  } as LoadResult;
}

describe('a capacity step, exactly as judged', () => {
  const slo = { http_req_duration: ['p(95)<60'], http_req_failed: ['rate<0.01'] };

  it('nothing sent: bad on every count, each with no sample, but the target is not gone (it was never asked)', () => {
    const j = judgeStep(step({ requests: 0 }), slo);
    expect(j).toMatchObject({
      outcome: 'bad',
      why: 'http_req_duration p(95)<60 no-data; http_req_failed rate<0.01 no-data; dropped_iterations 0 of 0; 0 of 0 answered',
      factors: ['latency', 'errors', 'dropped iterations', 'target stopped answering'],
      targetGone: false,
    });
    expect(j.verdicts.slice(2)).toEqual([
      {
        id: 'dropped_iterations',
        kind: 'dropped',
        scope: 'load',
        source: 'consistency',
        objective: 'every scheduled arrival was sent',
        status: 'no-data',
        bound: { op: '==', value: 0, unit: 'count' },
        evidence: { samples: 0, coveredMs: 3000, from: 'every scheduled arrival' },
        observed: 'dropped_iterations 0 of 0',
        detail: 'no sample: every scheduled arrival',
      },
      {
        id: 'load',
        kind: 'load',
        scope: 'load',
        source: 'slo',
        objective: 'the target answered',
        status: 'no-data',
        evidence: { samples: 0, coveredMs: 3000, from: 'every request of the step' },
        observed: '0 of 0 answered',
        detail: 'no sample: every request of the step',
      },
    ]);
  });

  it('no answer at all: the gone target says it all, though the error rate failed too', () => {
    const j = judgeStep(step({ network: 300 }), slo);
    expect(j).toMatchObject({
      outcome: 'bad',
      why: 'no response at all',
      factors: ['target stopped answering'],
      targetGone: true,
    });
    expect(j.verdicts.map((v) => [v.id, v.status])).toEqual([
      ['http_req_duration p(95)<60', 'pass'],
      ['http_req_failed rate<0.01', 'fail'],
      ['dropped_iterations', 'pass'],
      ['load', 'fail'],
    ]);
    expect(j.verdicts[3]).toEqual({
      id: 'load',
      kind: 'load',
      scope: 'load',
      source: 'slo',
      objective: 'the target answered',
      status: 'fail',
      evidence: { samples: 300, coveredMs: 3000, from: 'every request of the step' },
      observed: 'no response at all',
    });
  });

  it('every failing verdict named in the profile’s order, each factor once; a selector that does not parse is skipped', () => {
    const j = judgeStep(step({ requests: 297, dropped: 3 }), {
      http_req_duration: ['p(95)<5', 'p(99)<5'],
      http_reqs: ['count>1000'],
      'bad selector{': ['x'],
    });
    expect(j).toMatchObject({
      outcome: 'bad',
      why: 'http_req_duration p(95)<5 p(95)=10.01 ms; http_req_duration p(99)<5 p(99)=10.01 ms; http_reqs count>1000 count=297; dropped_iterations 3 of 300',
      factors: ['latency', 'throughput', 'dropped iterations'],
      targetGone: false,
    });
    expect(j.verdicts.map((v) => [v.id, v.status])).toEqual([
      ['http_req_duration p(95)<5', 'fail'],
      ['http_req_duration p(99)<5', 'fail'],
      ['http_reqs count>1000', 'fail'],
      ['dropped_iterations', 'fail'],
      ['load', 'pass'],
    ]);
    expect(j.verdicts[4]!.observed).toBe('297 of 297 answered');
    expect(limitingFactor(j.factors, 'bracketed')).toBe('latency and throughput and dropped iterations');
  });

  it('a threshold on dropped_iterations names the dropped arrivals, not the throughput', () => {
    const j = judgeStep(step({ requests: 297, dropped: 3 }), { dropped_iterations: ['count<1'] });
    expect(j).toMatchObject({ outcome: 'bad', factors: ['dropped iterations'] });
    expect(j.verdicts.map((v) => [v.id, v.status])).toEqual([
      ['dropped_iterations count<1', 'fail'],
      ['dropped_iterations', 'fail'],
      ['load', 'pass'],
    ]);
  });

  it('inconclusive: the generator’s lag verdict alone, its bound in the why', () => {
    const j = judgeStep(step({ lagP99Ms: 40 }), { http_req_duration: ['p(95)<9.5'] });
    expect(j).toMatchObject({
      outcome: 'inconclusive',
      why: 'the generator fell behind its schedule (send lag p(99) 40.03 ms, max 40 ms over 1000 arrivals; bound 2 ms)',
      factors: ['generator'],
      targetGone: false,
    });
    expect(j.verdicts.map((v) => [v.id, v.status])).toEqual([['generator', 'fail']]);
  });
});

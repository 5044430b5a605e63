import { describe, expect, it } from 'vitest';
import { openResult as anyResult, scenario } from './generator.test-util.ts';
import { droppedVerdict, generatorSaturated, generatorVerdict, lagBoundMs, shardsVerdict } from './generator.ts';

const openResult = (o: Parameters<typeof anyResult>[0]) => anyResult({ busiestWorkerElu: 0.97, ...o });

const lagOf = (p99Ms: number) => [
  ...Array.from({ length: 980 }, () => 0.05),
  ...Array.from({ length: 20 }, () => p99Ms),
];

describe('the generator is judged by its send lag, not by CPU', () => {
  it('takes a tenth of the tightest latency limit, at least 2 ms, 10 ms without one', () => {
    expect(lagBoundMs({})).toBe(10);
    expect(
      lagBoundMs({ 'http_req_duration{name:api}': ['p(95)<200', 'p(99)<=500'], http_req_failed: ['rate<0.01'] }),
    ).toBe(20);
    expect(lagBoundMs({ http_req_duration: ['p(95)<5'] })).toBe(2);
    // A floor is no limit on the lag: min>… and > are ignored.
    expect(lagBoundMs({ http_req_duration: ['min>1', 'avg>3'] })).toBe(10);
  });

  it('passes a busy worker that sends on time (ELU 97%)', () => {
    const v = generatorVerdict(openResult({ lagMs: lagOf(0.9) }), {});
    expect(v?.status).toBe('pass');
    expect(v?.observed).toContain('p(99) 0.9');
  });

  it('fails when the lag passes the bound and a latency verdict turns on it, naming both', () => {
    // p95 of 210 ms fails p(95)<200, but 210 − 25 ms of lag would pass: the generator may have decided it.
    const r = openResult({ lagMs: lagOf(25), latencyMs: Array.from({ length: 100 }, () => 210) });
    const v = generatorVerdict(r, { http_req_duration: ['p(95)<200'] });
    expect(v).toMatchObject({
      status: 'fail',
      objective: 'arrivals sent on schedule (send lag p(99) ≤ 20 ms, or too small to decide a latency verdict)',
    });
    expect(v?.detail).toContain('http_req_duration p(95)<200 (p(95)=210 ms) would pass without the lag');
    expect(generatorSaturated(r, { http_req_duration: ['p(95)<200'] })).toBe(true);
    expect(generatorSaturated(r, { http_req_duration: ['p(95)<1000'] })).toBe(false);
  });

  it('a lag past the bound that no latency verdict turns on passes, said so', () => {
    // 40 arrivals at 20 req/s: one late send is the p99; the target fails p(95)<5 by far more than the lag.
    const slow = openResult({
      lagMs: [...Array.from({ length: 39 }, () => 0.2), 3.9],
      latencyMs: Array.from({ length: 40 }, () => 25),
    });
    expect(generatorVerdict(slow, { http_req_duration: ['p(95)<5'] })).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('no latency verdict turns on it'),
    });
    // A fast target passing with the lag in: removing the lag can only make it faster.
    const fast = openResult({ lagMs: lagOf(30), latencyMs: Array.from({ length: 100 }, () => 40) });
    expect(generatorVerdict(fast, { http_req_duration: ['p(99)<100'] })?.status).toBe('pass');
  });

  it('drops with sends on time are never blamed on the generator, however busy its worker (issue 30 item 7: the ELU rule is gone)', () => {
    // The busiest worker 97 % busy, 100 arrivals dropped, sends on time: a stalled target held the
    // connections; the dropped verdict judges the drops, the generator passes.
    const busy = openResult({ lagMs: lagOf(0.5), requests: 900, dropped: 100 });
    expect(busy.generator!.busiestWorkerElu).toBe(0.97);
    expect(generatorVerdict(busy, { http_req_duration: ['p(95)<1000'] })?.status).toBe('pass');
    expect(droppedVerdict(busy, scenario, { http_req_duration: ['p(95)<1000'] })?.status).toBe('fail');
  });

  it('drops made by a loop tens of ms behind are the generator’s, whatever latency allowance the thresholds leave', () => {
    // p(95)<1000 allows 100 ms of lag for latency's sake; a loop 43 ms behind when it drops is not
    // keeping its schedule (one JS worker asked for 150 000/s: p99 43 ms, 248 602 of 300 000 dropped).
    const late = openResult({ lagMs: lagOf(43), requests: 900, dropped: 100 });
    const v = generatorVerdict(late, { http_req_duration: ['p(95)<1000'] });
    expect(v).toMatchObject({
      status: 'fail',
      objective: 'arrivals sent or dropped on schedule (send lag p(99) ≤ 10 ms)',
    });
    expect(v?.detail).toMatch(/100 arrivals were dropped by a loop behind its schedule/);
    // The same lag with nothing dropped: no latency verdict turns on it, the generator passes.
    expect(
      generatorVerdict(openResult({ lagMs: lagOf(43), requests: 1000 }), { http_req_duration: ['p(95)<1000'] }),
    ).toMatchObject({
      status: 'pass',
    });
  });

  it('every latency metric bounds the lag and can turn on it: db_*, redis_*, iteration_duration (issue 30 item 7)', () => {
    expect(lagBoundMs({ db_query_duration: ['p(95)<50'] })).toBe(5);
    expect(lagBoundMs({ 'redis_cmd_duration{name:get}': ['p(99)<30'], http_req_duration: ['p(95)<200'] })).toBe(3);
    expect(lagBoundMs({ iteration_duration: ['avg<40'] })).toBe(4);
    // A SQL-only profile: the statement's p95 of 52 ms fails p(95)<50 but 52 − 8 ms of lag would
    // pass — the generator, not the database, may have decided it.
    const r = openResult({ lagMs: lagOf(8), latencyMs: Array.from({ length: 100 }, () => 52) });
    r.byName = { q: { ...r.byName.api!, kind: 'postgres', method: 'SELECT' } };
    const v = generatorVerdict(r, { db_query_duration: ['p(95)<50'] });
    expect(v).toMatchObject({ status: 'fail' });
    expect(v?.detail).toMatch(/db_query_duration p\(95\)<50 \(p\(95\)=52\.\d+ ms\) would pass without the lag/);
    // Far beyond the lag: the database's own, and the generator passes, said so.
    const slow = openResult({ lagMs: lagOf(8), latencyMs: Array.from({ length: 100 }, () => 300) });
    slow.byName = { q: { ...slow.byName.api!, kind: 'postgres', method: 'SELECT' } };
    expect(generatorVerdict(slow, { db_query_duration: ['p(95)<50'] })).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('no latency verdict turns on it'),
    });
  });

  it('without a latency threshold, a lag past 10 ms fails: the report’s percentiles carry it', () => {
    expect(generatorVerdict(openResult({ lagMs: lagOf(25) }), { http_req_failed: ['rate<0.01'] })?.status).toBe('fail');
  });

  it('is no-data when nothing was sent, and absent for a closed model', () => {
    const none = openResult({ lagMs: [] });
    expect(generatorVerdict(none, {})?.status).toBe('no-data');
    expect(generatorVerdict(openResult({ model: 'closed', lagMs: lagOf(50) }), {})).toBeUndefined();
  });
});

describe('dropped arrivals fail by default', () => {
  it('passes when every arrival was sent', () => {
    expect(droppedVerdict(openResult({ requests: 5000 }), scenario, {})).toMatchObject({
      status: 'pass',
      observed: '0 of 5000 dropped',
    });
  });

  it('fails with the connections Little’s law needed and the maxVUs to set', () => {
    const stalled = openResult({ latencyMs: [3, 4, 1020], requests: 4199, dropped: 801, limit: 100 });
    const v = droppedVerdict(stalled, scenario, {});
    expect(v?.status).toBe('fail');
    expect(v?.observed).toBe('801 of 5000 arrivals dropped (16.0%): no free connection');
    // 500 req/s × 1.02 s ≈ 510 connections; advice rounds 1.25 × that up.
    expect(v?.detail).toContain("Little's law needs ≈ 510 connections");
    expect(v?.detail).toContain('the generator had 100 (maxVUs) — set scenario.maxVUs: 640');
  });

  it('leaves the judgement to the profile’s own dropped_iterations threshold', () => {
    expect(
      droppedVerdict(openResult({ requests: 10, dropped: 3 }), scenario, { dropped_iterations: ['count<5'] }),
    ).toBeUndefined();
  });

  it('is no-data when nothing was scheduled', () => {
    expect(droppedVerdict(openResult({ latencyMs: [], requests: 0 }), scenario, {})?.status).toBe('no-data');
  });
});

describe('a distributed run is judged only on a whole merge', () => {
  const shard = (index: number, status: 'done' | 'lost' | 'running', requests = 100) => ({
    index,
    where: `run-${index}-abc`,
    status,
    requests,
    failed: 0,
    ...(status === 'lost' ? { lost: 'exit code 137 (OOMKilled)' } : {}),
  });
  it('no shards (a single-process run): no verdict at all', () => {
    expect(shardsVerdict(openResult({}))).toBeUndefined();
  });
  it('every shard done: pass', () => {
    const v = shardsVerdict({ ...openResult({}), shards: [shard(0, 'done'), shard(1, 'done')] });
    expect(v).toMatchObject({ status: 'pass', observed: '2 of 2 shards' });
  });
  it('a shard lost: fail, naming it, its pod, what it sent and why', () => {
    const v = shardsVerdict({ ...openResult({}), shards: [shard(0, 'done'), shard(1, 'lost', 42), shard(2, 'done')] });
    expect(v!.status).toBe('fail');
    expect(v!.observed).toBe('1 of 3 shards lost: shard 1 (run-1-abc) after 42 requests — exit code 137 (OOMKilled)');
  });
  it('every shard done, but one ready 2.5 s after the common start: fail, with the setting to raise', () => {
    const v = shardsVerdict({
      ...openResult({}),
      shards: [
        { ...shard(0, 'done'), startSkewMs: 0 },
        { ...shard(1, 'done'), startSkewMs: 2500 },
      ],
    });
    expect(v!.status).toBe('fail');
    expect(v!.observed).toBe('2 of 2 shards reported, but 1 started late: shard 1 by 2.5 s');
    expect(v!.detail).toContain('kubernetes.shards.startDelay');
  });
  it('a shard that never said it ended fails too', () => {
    expect(shardsVerdict({ ...openResult({}), shards: [shard(0, 'running')] })!.status).toBe('fail');
  });
  it('an empty shard list is no-data, never a pass', () => {
    expect(shardsVerdict({ ...openResult({}), shards: [] })!.status).toBe('no-data');
  });
});

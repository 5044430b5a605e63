import { ValueType } from '@opentelemetry/api';
import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../record/schema.ts';
import { BOUNDARIES_MS, faultMetrics, k6Metrics } from './otlp.ts';
import { byNameEntry, sampleLoad } from './sample-load.ts';

const load = sampleLoad({
  home: byNameEntry('GET', { 200: 4, 500: 1 }, { requests: 5, failed: 1 }, [1, 5, 7, 30, 20_000]),
  lost: byNameEntry('GET', {}, { requests: 2, failed: 2 }, []),
  orders: byNameEntry('SELECT', {}, { requests: 3, failed: 0 }, [1, 2, 3], 'postgres'),
});

describe("OTLP under k6's OpenTelemetry names", () => {
  const metrics = k6Metrics(load, 'run-1', 'k6_', 1_000, 61_500);
  const named = (n: string) => metrics.find((m) => m.descriptor.name === n);
  const points = (n: string, attrs: Record<string, string> = {}) =>
    (named(n)?.dataPoints ?? []).filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v));

  it('counts requests per name, method and status as a cumulative monotonic sum, status 0 for those without one', () => {
    const reqs = named('k6_http_reqs')!;
    expect(reqs.dataPointType).toBe(DataPointType.SUM);
    expect(reqs).toMatchObject({ isMonotonic: true, aggregationTemporality: 1 /* CUMULATIVE */ });
    expect(points('k6_http_reqs', { name: 'home', status: '200' }).map((p) => p.value)).toEqual([4]);
    expect(points('k6_http_reqs', { name: 'home', status: '500' }).map((p) => p.value)).toEqual([1]);
    expect(points('k6_http_reqs', { name: 'lost', status: '0' }).map((p) => p.value)).toEqual([2]);
    expect(points('k6_http_reqs')[0]!.attributes).toMatchObject({ testid: 'run-1', scenario: 'gate', method: 'GET' });
    expect(points('k6_http_reqs')[0]).toMatchObject({ startTime: [1, 0], endTime: [61, 500_000_000] });
  });

  it('a rate is one integer counter <name>.total split by condition, as k6 ≥ 1.4 exports it', () => {
    expect(named('k6_http_req_failed.total')!.descriptor.valueType).toBe(ValueType.INT);
    expect(points('k6_http_req_failed.total', { name: 'home', condition: 'nonzero' })[0]!.value).toBe(1);
    expect(points('k6_http_req_failed.total', { name: 'home', condition: 'zero' })[0]!.value).toBe(4);
    expect(points('k6_http_req_failed.total', { name: 'lost', condition: 'nonzero' })[0]!.value).toBe(2);
  });

  it('a trend is an explicit-bucket histogram in ms on the SDK default bounds: count, sum, min, max and buckets exact', () => {
    const d = named('k6_http_req_duration')! as Extract<MetricData, { dataPointType: DataPointType.HISTOGRAM }>;
    expect(d.descriptor.unit).toBe('ms');
    expect(d.dataPoints).toHaveLength(1); // "lost" had no latency to report
    const v = d.dataPoints[0]!.value;
    expect(v.buckets.boundaries).toEqual(BOUNDARIES_MS);
    // (0,5]: 1 and 5 — a value exactly at a bound is counted at or below it; (5,10]: 7; (25,50]: 30; >10 s: 20 s.
    expect(v.buckets.counts).toEqual([0, 2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(v.count).toBe(5);
    expect(v.sum).toBeCloseTo(20_043, -2); // within the histogram's 3 digits
    expect(v.min).toBeCloseTo(1, 2);
    expect(v.max).toBeCloseTo(20_000, -2);
  });

  it('SQL and Redis requests keep their own names; the run-wide counters and gauges carry testid and scenario', () => {
    expect(points('k6_db_queries', { name: 'orders', status: '0', method: 'SELECT' })[0]!.value).toBe(3);
    expect(points('k6_db_query_duration', { name: 'orders' })).toHaveLength(1);
    expect(points('k6_iterations', { testid: 'run-1', scenario: 'gate' })[0]!.value).toBe(9);
    expect(points('k6_dropped_iterations')[0]!.value).toBe(1);
    expect(named('k6_vus')!.dataPointType).toBe(DataPointType.GAUGE);
    expect(points('k6_vus')[0]!.value).toBe(3);
    expect(points('k6_vus_max')[0]!.value).toBe(4);
  });

  it('the prefix is the option’s: empty gives k6’s bare names', () => {
    expect(k6Metrics(load, 'r', '', 0, 1).map((m) => m.descriptor.name)).toContain('http_req_duration');
  });
});

describe('faults as a gauge', () => {
  const r = {
    runId: 'run-2',
    startedAt: '2026-01-01T00:00:00.000Z',
    chaos: [
      {
        experiment: 'kill',
        windowEndMs: 9_000,
        faults: [
          { id: '1.1', label: 'pod-kill', injectedAtMs: 2_000, rtoMs: 3_000 },
          { id: '1.2', label: 'pod-kill' }, // never injected: no series
        ],
      },
    ],
  } as unknown as RunRecord;
  it('1 at the injection, 0 at the recovery, wall-clock, labelled like the remote-write series', () => {
    const [m] = faultMetrics(r);
    const wall = Date.parse(r.startedAt);
    expect(m!.descriptor.name).toBe('gauntlet_fault_active');
    expect(m!.dataPoints.map((p) => [p.endTime, p.value])).toEqual([
      [[(wall + 2_000) / 1000, 0], 1],
      [[(wall + 5_000) / 1000, 0], 0],
    ]);
    expect(m!.dataPoints[0]!.attributes).toEqual({
      testid: 'run-2',
      experiment: 'kill',
      fault: '1.1',
      kind: 'pod-kill',
    });
  });
  it('no injected fault, no metric', () => expect(faultMetrics({ ...r, chaos: [] })).toEqual([]));
});

import { describe, expect, it } from 'vitest';
import { encode, newHistogram } from '../measure/histogram.ts';
import type { LoadResult } from '../record/schema.ts';
import { k6Series } from './remote-write.ts';

const hist = (ms: number[]) => {
  const h = newHistogram();
  for (const v of ms) h.recordValue(v * 1000);
  return encode(h);
};
const totals = (requests: number, failed: number, statuses: Record<string, number>) => ({
  requests,
  failed,
  errors: {},
  statuses,
  bytesIn: 0,
  bytesOut: 0,
});

const load = {
  profile: 'gate',
  byName: {
    home: { method: 'GET', totals: totals(4, 1, { 200: 3, 500: 1 }), histogram: hist([10, 20, 30, 1000]) },
    lost: { method: 'GET', totals: totals(2, 2, {}), histogram: hist([5000, 5000]) },
    orders: { kind: 'postgres', method: 'SELECT', totals: totals(3, 0, {}), histogram: hist([1, 2, 3]) },
  },
  totals: { iterations: 9, droppedIterations: 1, maxVus: 4 },
  series: [{ vus: 3 }],
} as unknown as LoadResult;

describe("remote write under k6's names", () => {
  const series = k6Series(load, 'run-1', 1000);
  const value = (name: string, labels: Record<string, string> = {}) =>
    series
      .filter((s) => s.labels.__name__ === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .map((s) => s.samples[0]!.value);

  it('counts requests per name, method and status, with testid and scenario on every series', () => {
    expect(value('k6_http_reqs_total', { name: 'home', status: '200' })).toEqual([3]);
    expect(value('k6_http_reqs_total', { name: 'home', status: '500' })).toEqual([1]);
    // No status (a network error): status="0", as k6 tags it.
    expect(value('k6_http_reqs_total', { name: 'lost', status: '0' })).toEqual([2]);
    expect(series.every((s) => s.labels.testid === 'run-1' && s.labels.scenario === 'gate')).toBe(true);
    expect(series.every((s) => s.samples[0]!.timestamp === 1000)).toBe(true);
  });

  it('rates and trend stats in seconds, from the exact histograms; SQL under the db_ names', () => {
    expect(value('k6_http_req_failed_rate', { name: 'home' })).toEqual([0.25]);
    expect(value('k6_http_req_duration_max', { name: 'home' })[0]).toBeCloseTo(1, 2);
    expect(value('k6_http_req_duration_med', { name: 'home' })[0]).toBeCloseTo(0.02, 4);
    expect(value('k6_db_queries_total', { name: 'orders', method: 'SELECT', status: '0' })).toEqual([3]);
    expect(value('k6_db_query_duration_p99', { name: 'orders' })[0]).toBeCloseTo(0.003, 5);
    expect(value('k6_http_reqs_total', { name: 'orders' })).toEqual([]);
  });

  it('iterations, drops and VUs', () => {
    expect(value('k6_iterations_total')).toEqual([9]);
    expect(value('k6_dropped_iterations_total')).toEqual([1]);
    expect(value('k6_vus')).toEqual([3]);
    expect(value('k6_vus_max')).toEqual([4]);
  });
});

import { describe, expect, it } from 'vitest';
import { decode } from '../measure/histogram.ts';
import {
  faultSeries,
  k6Series,
  NATIVE_SCHEMA,
  nativeSample,
  readWriteRequestBody,
  writeRequestBody,
  type NativeSample,
} from './remote-write.ts';
import { byNameEntry, histogramOf, sampleLoad } from './sample-load.ts';

const load = sampleLoad({
  home: byNameEntry('GET', { 200: 3, 500: 1 }, { requests: 4, failed: 1 }, [10, 20, 30, 1000]),
  lost: byNameEntry('GET', {}, { requests: 2, failed: 2 }, [5000, 5000]),
  orders: byNameEntry('SELECT', {}, { requests: 3, failed: 0 }, [1, 2, 3], 'postgres'),
});

describe("remote write under k6's names", () => {
  const series = k6Series(load, 'run-1', 1000);
  const value = (name: string, labels: Record<string, string> = {}) =>
    series
      .filter((s) => s.labels.__name__ === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .map((s) => s.samples![0]!.value);

  it('counts requests per name, method and status, with testid and scenario on every series', () => {
    expect(value('k6_http_reqs_total', { name: 'home', status: '200' })).toEqual([3]);
    expect(value('k6_http_reqs_total', { name: 'home', status: '500' })).toEqual([1]);
    // No status (a network error): status="0", as k6 tags it.
    expect(value('k6_http_reqs_total', { name: 'lost', status: '0' })).toEqual([2]);
    expect(series.every((s) => s.labels.testid === 'run-1' && s.labels.scenario === 'gate')).toBe(true);
    expect(series.every((s) => s.samples![0]!.timestamp === 1000)).toBe(true);
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

describe('faults as series', () => {
  const fault = (id: string, over: object) => ({ id, label: 'kill', target: 't', events: [], recovery: '', ...over });
  it('1 at the injection, 0 at the recovery; RTO 0 ends a millisecond later; never recovered ends with the window', () => {
    const series = faultSeries({
      runId: 'r',
      startedAt: '2026-11-30T10:00:00.000Z',
      chaos: [
        {
          experiment: 'e',
          windowEndMs: 20_000,
          faults: [
            fault('1.1', { injectedAtMs: 2000, rtoMs: 3000, recoveredAtMs: 5000 }),
            fault('1.2', { injectedAtMs: 6000, rtoMs: 0 }),
            fault('1.3', { injectedAtMs: 7000 }),
            fault('1.4', {}),
          ],
        },
      ] as never,
    });
    const t0 = Date.parse('2026-11-30T10:00:00.000Z');
    expect(series.map((s) => [s.labels.fault, s.samples!.map((x) => [x.value, x.timestamp - t0])])).toEqual([
      [
        '1.1',
        [
          [1, 2000],
          [0, 5000],
        ],
      ],
      [
        '1.2',
        [
          [1, 6000],
          [0, 6001],
        ],
      ],
      [
        '1.3',
        [
          [1, 7000],
          [0, 20_000],
        ],
      ],
    ]);
    expect(series[0]!.labels).toEqual({
      __name__: 'gauntlet_fault_active',
      testid: 'r',
      experiment: 'e',
      fault: '1.1',
      kind: 'kill',
    });
  });
});

describe('trends as native histograms', () => {
  const expand = (s: NativeSample) => {
    const out: { lower: number; upper: number; count: number }[] = [];
    let i = 0;
    let count = 0;
    let d = 0;
    for (const [k, span] of s.positiveSpans.entries()) {
      i = k === 0 ? span.offset : i + span.offset + 1;
      for (let j = 0; j < span.length; j++, i++) {
        count += s.positiveDeltas[d++]!;
        out.push({ lower: 2 ** ((i - 1) / 2 ** s.schema), upper: 2 ** (i / 2 ** s.schema), count });
      }
      i--;
    }
    return out;
  };

  it('each latency lands in the schema-8 bucket that holds it; counts, sum and spans add up', () => {
    const ms = [1, 1, 1, 1.001, 2, 100, 100, 2500];
    const s = nativeSample(decode(histogramOf(ms)), 5_000);
    expect(s).toMatchObject({ schema: NATIVE_SCHEMA, countInt: 8, zeroCountInt: 0, timestamp: 5_000 });
    expect(s.sum).toBeCloseTo(2.706, 3);
    const buckets = expand(s);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(8);
    for (const v of new Set(ms)) {
      const b = buckets.find((x) => x.lower < v / 1000 && v / 1000 <= x.upper);
      expect(b, `${v} ms`).toBeDefined();
      expect(b!.count, `${v} ms`).toBe(ms.filter((x) => b!.lower < x / 1000 && x / 1000 <= b!.upper).length);
      expect(b!.upper / b!.lower).toBeCloseTo(1.00271, 5);
    }
  });

  it('with nativeHistograms, a trend is one _seconds histogram series instead of the stat gauges', () => {
    const series = k6Series(load, 'run-1', 1000, true);
    const names = series.map((s) => s.labels.__name__);
    expect(names).toContain('k6_http_req_duration_seconds');
    expect(names).toContain('k6_db_query_duration_seconds');
    expect(names.some((n) => /_p99$|_med$/.test(n))).toBe(false);
    const home = series.find((s) => s.labels.__name__ === 'k6_http_req_duration_seconds' && s.labels.name === 'home')!;
    expect(home.histograms![0]!.countInt).toBe(4);
  });

  it('the write request round-trips: labels sorted by name, samples and histograms as written', () => {
    const series = k6Series(load, 'run-1', 1000, true).slice(0, 12);
    const decoded = readWriteRequestBody(writeRequestBody(series)) as {
      timeseries: { labels: { name: string; value: string }[]; samples?: unknown[]; histograms?: NativeSample[] }[];
    };
    expect(decoded.timeseries).toHaveLength(series.length);
    for (const [i, t] of decoded.timeseries.entries()) {
      const names = t.labels.map((l) => l.name);
      expect(names).toEqual([...names].sort());
      expect(Object.fromEntries(t.labels.map((l) => [l.name, l.value]))).toEqual(series[i]!.labels);
      expect(t.samples ?? []).toEqual(series[i]!.samples ?? []);
      expect(t.histograms ?? []).toEqual(series[i]!.histograms ?? []);
    }
  });
});

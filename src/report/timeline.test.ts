import { describe, expect, it } from 'vitest';
import { aVerdict } from '../slo/verdict.test-util.ts';
import { ChaosResult, LoadResult, RunRecord, RECORD_VERSION } from '../record/schema.ts';
import { encode, newHistogram, summarise } from '../measure/histogram.ts';
import { experimentTimeline, loadTimeline, percentileSpectrum } from './timeline.ts';
import { renderHtml } from './html.ts';

/** A load of `seconds` at `rate`/s, every request `ms` long except a slow `slowShare` at `slowMs`. */
function load(seconds: number, rate: number, ms = 10, slowShare = 0, slowMs = 500): LoadResult {
  const all = newHistogram();
  const n = seconds * rate;
  for (let i = 0; i < n; i++) all.recordValue((i % 1000 < slowShare * 1000 ? slowMs : ms) * 1000);
  const totals = { requests: n, failed: 0, errors: {}, statuses: { '200': n }, bytesIn: 0, bytesOut: 0 };
  const block = { histogram: encode(all), latency: summarise(all)! };
  return LoadResult.parse({
    engine: 'embedded',
    profile: 'p',
    executor: 'constant-arrival-rate',
    model: 'open',
    workers: 1,
    startedAtMs: 1000,
    durationMs: seconds * 1000,
    scheduledMs: seconds * 1000,
    totals: { ...totals, iterations: n, droppedIterations: 0, interruptedIterations: 0, maxVus: 5 },
    all: block,
    byName: { home: { ...block, totals, method: 'GET' } },
    iterationDuration: block,
    series: Array.from({ length: seconds }, (_, t) => ({
      t,
      requests: rate,
      failed: t === 7 ? 3 : 0,
      errors: t === 7 ? { http_5xx: 3 } : {},
      p50Ms: ms,
      p95Ms: ms,
      p99Ms: t === 5 ? 900 : ms,
      vus: 2,
      dropped: 0,
    })),
  });
}

function experiment(over: Partial<ChaosResult> = {}): ChaosResult {
  return ChaosResult.parse({
    experiment: 'db failover',
    dryRun: false,
    windowStartMs: 1000,
    windowEndMs: 21_000,
    steadyState: { before: 'met', after: 'met' },
    faults: [
      {
        id: '1.1',
        label: 'db-failover (kill-patroni)',
        target: 'leader n1',
        injectedAtMs: 4000,
        events: [{ atMs: 4000, what: 'kill -9' }],
        rtoMs: 9000,
        recoveredAtMs: 13_000,
        recovery: 'writes: 5 healthy samples',
      },
    ],
    probes: [
      {
        name: 'writes',
        kind: 'db-write',
        intervalMs: 1000,
        total: 20,
        ok: 11,
        samples: Array.from({ length: 20 }, (_, i) => [1000 + i * 1000, i >= 3 && i < 12 ? 0 : 1, 2]),
      },
    ],
    rollbacks: [],
    load: { profile: 'p', engine: 'embedded', startedAtMs: 1000, series: load(20, 10).series },
    ...over,
  });
}

describe('an experiment timeline', () => {
  it('shades each fault from its injection to its recovery, in seconds from the window start, RTO on it', () => {
    const t = experimentTimeline(experiment(), 'x')!;
    expect(t.range).toEqual([0, 20]);
    expect(t.bands).toEqual([
      { from: 3, to: 12, label: '1.1 db-failover (kill-patroni) — RTO 9.00 s', recovered: true },
    ]);
    expect(t.panels.map((p) => p.title)).toEqual([
      'Latency per second',
      'Requests per second, and errors by class',
      'Probe health (upper step: healthy; lower: failing)',
    ]);
    // The probe: up (0.8) before, down (0) through the outage, up after.
    const probe = t.panels[2]!.series[0]!.values;
    expect([probe[0], probe[3], probe[11], probe[12]]).toEqual([0.8, 0, 0, 0.8]);
    // Errors by class, at the second they happened (load started at the window start: +0.5 s centre).
    const errors = t.panels[1]!.series.find((s) => s.label === 'errors: http_5xx')!;
    expect(errors.values[7]).toBe(3);
    expect(t.panels[1]!.x[7]).toBe(7.5);
  });

  it('a fault never recovered is shaded to the end of the window and says so', () => {
    const base = experiment();
    const f = { ...base.faults[0]!, rtoMs: undefined, recoveredAtMs: undefined };
    const t = experimentTimeline({ ...base, faults: [f] }, 'x')!;
    expect(t.bands).toEqual([
      { from: 3, to: 20, label: '1.1 db-failover (kill-patroni) — not recovered', recovered: false },
    ]);
  });

  it('a fault with no outage (RTO 0) is a line at its injection, not a band', () => {
    const base = experiment();
    const t = experimentTimeline(
      { ...base, faults: [{ ...base.faults[0]!, rtoMs: 0, recoveredAtMs: undefined }] },
      'x',
    )!;
    expect(t.bands[0]).toMatchObject({ from: 3, to: 3, recovered: true });
    expect(t.bands[0]!.label).toMatch(/RTO 0 \(no outage\)$/);
  });

  it('the write ledger gets its own panel when there is one', () => {
    const base = experiment();
    const t = experimentTimeline(
      {
        ...base,
        ledger: {
          probe: 'writes',
          acknowledged: 2,
          failed: 1,
          indeterminate: 0,
          recovered: 0,
          lost: [{ seq: 2, atMs: 2500 }],
          lostSpanMs: 1,
          verified: 'read back',
          series: [{ t: 0, acknowledged: 2, failed: 1, indeterminate: 0, lost: 1 }],
        },
      },
      'x',
    )!;
    const writes = t.panels.find((p) => p.title.startsWith('Writes per second'))!;
    expect(writes.series.map((s) => [s.label, s.values[0]])).toEqual([
      ['acknowledged', 2],
      ['failed', 1],
      ['indeterminate', 0],
      ['acknowledged, then lost', 1],
    ]);
  });

  it('nothing to draw without a load, a ledger or a probe', () => {
    expect(experimentTimeline({ ...experiment(), probes: [], load: undefined }, 'x')).toBeUndefined();
  });
});

describe('a long load', () => {
  it('is drawn in buckets of at most 1800 points, each percentile the worst second in its bucket', () => {
    const t = loadTimeline(load(3600, 1), 'x')!;
    const latency = t.panels[0]!;
    expect(latency.x).toHaveLength(1800);
    expect(t.downsampled).toMatch(/^2-second buckets/);
    const p99 = latency.series.find((s) => s.label === 'p99')!.values;
    expect(p99[2]).toBe(900); // second 5 is in bucket 2 (seconds 4–5)
    expect(t.panels[1]!.series.find((s) => s.label === 'errors: http_5xx')!.values[3]).toBe(1.5); // 3 in second 7, per second
  });
});

describe("a load's timeline", () => {
  it("shades a failing windowed threshold's worst window, and nothing for one that passed", () => {
    const v = (status: 'pass' | 'fail', window: { fromS: number; toS: number }) =>
      aVerdict({
        id: `http_req_failed{window:10s} rate<0.01 (${status})`,
        kind: 'threshold',
        objective: 'rate<0.01',
        status,
        window,
      });
    const t = loadTimeline(load(60, 5), 'x', [v('fail', { fromS: 40, toS: 50 }), v('pass', { fromS: 0, toS: 10 })])!;
    expect(t.bands).toEqual([
      { from: 40, to: 50, label: 'http_req_failed{window:10s} rate<0.01 (fail): worst window', recovered: true },
    ]);
  });
});

describe('the percentile spectrum', () => {
  it('shows a slow path in 1.5 % of requests as a cliff between the 98th and 99th percentiles', () => {
    const s = percentileSpectrum(load(100, 100, 10, 0.015, 500), 'x')!;
    const all = s.series[0]!;
    expect(all.label).toBe('all requests (10000)');
    const at = (p: number) => all.values[s.x.indexOf(Math.round((1 / (1 - p / 100)) * 1000) / 1000)];
    expect(at(98.4375)).toBeCloseTo(10, 1);
    expect(at(99)).toBeCloseTo(500, 0);
    expect(all.values.at(-1)).toBeCloseTo(500, 0); // the max
    // p99.99 needs 10 000 samples: there are, so it is drawn; p99.995 is not.
    expect(s.x).toContain(10000);
    expect(s.x).not.toContain(20000);
  });

  it('nothing to draw without samples', () => {
    const l = load(1, 1);
    const empty = encode(newHistogram());
    expect(percentileSpectrum({ ...l, all: { histogram: empty }, byName: {} }, 'x')).toBeUndefined();
  });
});

describe('the HTML report of a 30-minute run at 10 req/s under chaos', () => {
  it('stays under 2 MB with every second drawn', () => {
    const l = load(1800, 10);
    const c = experiment({
      windowEndMs: 1_801_000,
      load: { profile: 'p', engine: 'embedded', startedAtMs: 1000, series: l.series },
      probes: [
        {
          name: 'api',
          kind: 'http',
          intervalMs: 1000,
          total: 1800,
          ok: 1800,
          samples: Array.from({ length: 1800 }, (_, i) => [1000 + i * 1000 + 0.123, 1, 2.345]),
        },
      ],
    });
    const r = RunRecord.parse({
      schemaVersion: RECORD_VERSION,
      runId: 'r',
      command: 'chaos',
      status: 'passed',
      exitCode: 0,
      tool: { name: 'gauntlet', version: '0', node: 'v20' },
      environment: { name: 'e', baseUrl: 'http://127.0.0.1' },
      config: { file: 'c.yaml', digest: 'd' },
      host: 'h',
      startedAt: '2026-01-01T00:00:00Z',
      endedAt: '2026-01-01T00:30:00Z',
      durationMs: 1_800_000,
      checks: [],
      load: l,
      chaos: [c],
      verdicts: [],
      errors: [],
    });
    const bytes = Buffer.byteLength(renderHtml(r));
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    expect(experimentTimeline(c, 'x')!.panels[0]!.x).toHaveLength(1800);
  });
});

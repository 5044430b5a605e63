// The OTLP output against the real OpenTelemetry Collector (its own OTLP receiver, built from the
// Go module proxy): a load's metrics are exported live under k6's OpenTelemetry names, the
// Collector decodes them, and what it passes on equals the run's record — counts, statuses,
// failures, the latency histogram bucket for bucket. A receiver that refuses is a warning only.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, explicitBuckets } from '../src/measure/histogram.ts';
import type { RunRecord } from '../src/record/schema.ts';
import { attr, metricsNamed, startCollector, type Collector, type OtlpMetric } from './fixtures/otelcol.ts';
import { allArtifactText, gauntlet, hasNoStackTrace, latestReport, project, server } from './helpers.ts';

let collector: Collector;
let target: Awaited<ReturnType<typeof server>>;
beforeAll(async () => {
  collector = await startCollector();
  target = await server((req, res) => res.writeHead(req.url === '/boom' ? 500 : 200).end('ok'));
});
afterAll(async () => {
  await collector?.stop();
  await target?.close();
});

const TOKEN = 'otlp-secret-9c41e7';
const files = (otlp: string) => ({
  'gauntlet.config.yaml': `environments:
  test: { baseUrl: "${target.url}" }
outputs:
  otlp: ${otlp}
`,
  'p.yaml': `name: mixed
scenario: { executor: constant-arrival-rate, rate: 60, duration: 4s, preAllocatedVUs: 10 }
requests:
  - { name: ok, path: /ok, weight: 3 }
  - { name: boom, path: /boom, weight: 1 }
# The 500s are figures here, not a verdict: any failure rate accepted, in writing (the default is rate<0.01).
thresholds: { http_req_failed: ["rate<=1"] }
`,
});
const record = (dir: string) => latestReport(dir).record as unknown as RunRecord;
const last = (c: Collector, name: string): OtlpMetric => metricsNamed(c, name).at(-1)!;

describe('OTLP output', () => {
  it("exports the load live under k6's OpenTelemetry names; what the Collector decoded is the record's", async () => {
    const dir = project(
      files(`{ url: "${collector.url}", pushInterval: 1s, headers: { authorization: "Bearer \${env:OTLP_TOKEN}" } }`),
    );
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: { OTLP_TOKEN: TOKEN }, timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(0); // http_req_failed rate<=1: the 500s are figures here
    const r = record(dir);
    const pushes = Number(/otlp: (\d+) pushes of the run's metrics \(testid=\S+\)$/m.exec(run.out)?.[1]);
    expect(pushes, run.out).toBeGreaterThanOrEqual(3); // live, about every second of a 4 s run, and the end

    const resource = collector.batches.at(-1)!.resourceMetrics[0]!.resource.attributes;
    expect(resource.find((a) => a.key === 'service.name')?.value.stringValue).toBe('gauntlet');

    const reqs = last(collector, 'k6_http_reqs').sum!;
    expect(reqs.isMonotonic).toBe(true);
    expect(reqs.aggregationTemporality).toBe(2); // CUMULATIVE in the protocol's numbering
    for (const p of reqs.dataPoints) expect(attr(p, 'testid')).toBe(r.runId);
    expect(reqs.dataPoints.reduce((n, p) => n + p.asDouble!, 0)).toBe(r.load!.totals.requests);
    const boom = reqs.dataPoints.find((p) => attr(p, 'name') === 'boom' && attr(p, 'status') === '500')!;
    expect(boom.asDouble).toBe(r.load!.byName.boom!.totals.statuses['500']);

    const failed = last(collector, 'k6_http_req_failed.total').sum!.dataPoints;
    const nonzero = failed.find((p) => attr(p, 'name') === 'boom' && attr(p, 'condition') === 'nonzero')!;
    expect(Number(nonzero.asInt)).toBe(r.load!.byName.boom!.totals.failed);

    const duration = last(collector, 'k6_http_req_duration');
    expect(duration.unit).toBe('ms');
    const ok = duration.histogram!.dataPoints.find((p) => attr(p, 'name') === 'ok')!;
    const h = decode(r.load!.byName.ok!.histogram);
    expect(Number(ok.count)).toBe(h.totalCount);
    expect(ok.bucketCounts!.map(Number)).toEqual(explicitBuckets(h, ok.explicitBounds!));
    expect(ok.sum! / Number(ok.count)).toBeCloseTo(r.load!.byName.ok!.latency!.meanMs, 3);

    // Live: several exports, each cumulative, never going down.
    const totals = metricsNamed(collector, 'k6_iterations')
      .filter((m) => attr(m.sum!.dataPoints[0]!, 'testid') === r.runId)
      .map((m) => m.sum!.dataPoints[0]!.asDouble!);
    expect(totals.length).toBe(pushes);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect(totals.at(-1)).toBe(r.load!.totals.iterations);
    expect(allArtifactText(dir)).not.toContain(TOKEN);
  });

  it('a receiver that refuses is a warning, never a changed run', async () => {
    const dir = project(files(`{ url: "${collector.url.replace('/v1/metrics', '/v1/nothing')}", pushInterval: 1s }`));
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/^warning: otlp: .*404.* \(the run goes on\)$/m);
    expect(run.out).toMatch(/^otlp: 0 pushes of the run's metrics \(testid=\S+\), \d+ failed$/m);
    expect(record(dir).load!.totals.requests).toBeGreaterThan(0);
    expect(hasNoStackTrace(run.out)).toBe(true);
  });

  it('after a chaos run each fault is a gauntlet_fault_active gauge: 1 at its injection, 0 at its recovery', async () => {
    const victim = spawn('sleep', ['60'], { stdio: 'ignore' });
    const dir = project({
      ...files(`{ url: "${collector.url}" }`),
      'victim.pid': String(victim.pid),
      'exp.yaml': `name: kill a sleeper
probes: [{ kind: http, name: api, path: /ok, interval: 200ms }]
method:
  - fault: { kind: process-kill, pidFile: victim.pid, children: false }
    at: 500ms
duration: 2s
`,
    });
    try {
      const run = await gauntlet(['chaos', 'exp.yaml'], { cwd: dir, timeoutMs: 60_000 });
      expect(run.code, run.out).toBe(0);
      const r = record(dir);
      const f = r.chaos![0]!.faults[0]!;
      expect(r.delivery!.find((d) => d.to === 'otlp')).toMatchObject({ ok: true, detail: '1 fault series written' });
      const points = metricsNamed(collector, 'gauntlet_fault_active').flatMap((m) => m.gauge!.dataPoints);
      const mine = points.filter((p) => attr(p, 'testid') === r.runId);
      expect(mine.map((p) => attr(p, 'kind'))).toEqual([f.label, f.label]);
      expect(f.label).toMatch(/^process-kill/);
      const on = Date.parse(r.startedAt) + f.injectedAtMs!;
      const atMs = (p: (typeof mine)[number]) => Number(BigInt(p.timeUnixNano!) / 1_000_000n);
      expect(mine.map((p) => p.asDouble)).toEqual([1, 0]);
      expect(Math.abs(atMs(mine[0]!) - on)).toBeLessThanOrEqual(1);
      expect(atMs(mine[1]!)).toBeGreaterThan(atMs(mine[0]!));
    } finally {
      victim.kill('SIGKILL');
    }
  });

  it('an unknown key is refused before anything runs (exit 2, one line)', async () => {
    const dir = project(files(`{ url: "${collector.url}", protocol: grpc }`));
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir });
    expect(run.code, run.out).toBe(2);
    expect(run.out).toMatch(/outputs\.otlp.*protocol/);
    expect(hasNoStackTrace(run.out)).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPromStack, type PromStack } from '../src/targets/local/prometheus.ts';
import type { RunRecord } from '../src/record/schema.ts';
import {
  allArtifactText,
  gauntlet,
  hasNoStackTrace,
  latestReport,
  project,
  server,
  startDemoStack,
  type DemoStack,
} from './helpers.ts';

let stack: DemoStack;
let prom: PromStack;
beforeAll(async () => {
  // 30% of /api/items answers are 500s: an error-ratio SLO has something to catch.
  stack = await startDemoStack({ errorRatio: 0.3, rateLimitPerMinute: 100_000 });
  prom = await startPromStack({
    scrape: [new URL(stack.env.DEMO_METRICS_URL!).host],
    rules:
      '- alert: DemoServerErrors\n  expr: sum(rate(http_requests_total{code=~"5.."}[5s])) > 0\n  labels: { severity: warning }',
  });
}, 120_000);
afterAll(async () => {
  await prom?.stop();
  await stack?.stop();
});

const ratio = (route: string) =>
  `(sum(rate(http_requests_total{route="${route}",code=~"5.."}[5s])) or vector(0)) / sum(rate(http_requests_total{route="${route}"}[5s]))`;

const config = (opts: { slos?: string; env?: string } = {}) => `environments:
  test:
    baseUrl: "\${env:DEMO_BASE_URL}"
    prometheus: { url: "${prom.prometheusUrl}" }
    alertmanager: { url: "${prom.alertmanagerUrl}" }
${opts.env ?? `    pushgateway: { url: "${prom.pushgatewayUrl}", live: true }`}
slos:
  prometheus:
${opts.slos ?? '    []'}
`;

const PROFILE = `name: mixed
scenario: { executor: constant-arrival-rate, rate: 40, duration: 6s, preAllocatedVUs: 10 }
setup:
  - { name: login, method: POST, path: /login, json: { username: demo, password: "\${env:DEMO_PASSWORD}" }, capture: { token: { jsonPath: "$.token" } } }
requests:
  - { name: health, path: /health, weight: 1 }
  - { name: items, path: /api/items, headers: { authorization: "Bearer {{token}}" }, weight: 1 }
# The 500s of /api/items are figures here, not a verdict: any failure rate accepted, in writing
# (the default is rate<0.01).
thresholds: { http_req_failed: ["rate<=1"] }
`;

const env = () => ({
  DEMO_BASE_URL: stack.api.url,
  DEMO_PASSWORD: stack.password,
  DEMO_API_PIDFILE: stack.env.DEMO_API_PIDFILE!,
  GRAFANA_TOKEN: 'glsa_test_token_5f1e2d',
});
const record = (dir: string) => latestReport(dir).record as unknown as RunRecord;

describe('PromQL SLOs', () => {
  it('judge the server’s own view over the run’s window: one passes, one fails, one has no data; figures go to the Pushgateway', async () => {
    const dir = project({
      'gauntlet.config.yaml': config({
        slos: [
          `    - { name: health errors, query: '${ratio('/health')}', objective: "<0.01", step: 1s }`,
          `    - { name: items errors, query: '${ratio('/api/items')}', objective: "<0.01", step: 1s }`,
          `    - { name: health p95, query: 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{route="/health"}[5s])) by (le))', objective: "<0.5", step: 1s }`,
          `    - { name: nothing, query: 'http_requests_total{route="/nope"}', objective: "<1", step: 1s }`,
        ].join('\n'),
      }),
      'p.yaml': PROFILE,
    });
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: env(), timeoutMs: 90_000 });
    expect(run.code, run.out).toBe(1);
    const byId = Object.fromEntries(record(dir).verdicts.map((v) => [v.id, v]));
    expect(byId['prometheus health errors']!.status).toBe('pass');
    expect(byId['prometheus health p95']!.status).toBe('pass');
    expect(byId['prometheus items errors']!.status).toBe('fail');
    const observed = Number(/max=([\d.]+)/.exec(byId['prometheus items errors']!.observed!)![1]);
    expect(observed).toBeGreaterThan(0.1);
    expect(byId['prometheus nothing']!.status).toBe('no-data');
    // The client saw the same 500s.
    expect(record(dir).load!.byName.items!.totals.errors.http_5xx).toBeGreaterThan(10);
    const series = record(dir).prometheus!.find((p) => p.name === 'items errors')!.series;
    expect(series[0]!.points.length).toBeGreaterThanOrEqual(3);
    // The server's ratio is the injected 30 %: judged on its median step, since a 5 s rate window at
    // the run's edge can hold one or two requests, all 500s — a max of 1 there is right, not noise.
    const ratios = series[0]!.points.map((p) => p[1]).sort((x, y) => x - y);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    expect(median).toBeGreaterThan(0.1);
    expect(median).toBeLessThan(0.6);
    expect(latestReport(dir).html).toContain('id="chart-prometheus"');

    // The run's figures in the Pushgateway, grouped by environment, command and engine.
    expect(record(dir).delivery).toEqual([
      {
        to: 'pushgateway',
        ok: true,
        detail: expect.stringContaining('job=gauntlet environment=test command=load engine=embedded'),
      },
    ]);
    const pushed = await (await fetch(`${prom.pushgatewayUrl}/metrics`)).text();
    expect(pushed).toMatch(
      /gauntlet_http_req_duration_seconds\{command="load",engine="embedded",environment="test",instance="",job="gauntlet",quantile="0.95"\} [\d.e-]+/,
    );
    expect(pushed).toMatch(
      /gauntlet_verdict_passed\{command="load",engine="embedded",environment="test",instance="",job="gauntlet",status="fail",verdict="prometheus items errors"\} 0/,
    );
    expect(pushed).toContain(`run_id="${record(dir).runId}"`);
    // pushgateway.live: the per-second figures streamed while the load ran.
    expect(pushed).toMatch(
      new RegExp(
        `gauntlet_live_requests_total\\{environment="test",instance="",job="gauntlet_live",run_id="${record(dir).runId}"\\} [1-9]\\d*`,
      ),
    );
  }, 120_000);

  it('a PromQL syntax error is refused before any request, with Prometheus’s message (exit 2)', async () => {
    const dir = project({
      'gauntlet.config.yaml': config({
        slos: `    - { name: broken, query: 'sum(rate(http_requests_total[5s])', objective: "<1" }`,
      }),
      'p.yaml': PROFILE,
    });
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: env() });
    expect(run.code).toBe(2);
    expect(run.out).toMatch(/broken: Prometheus rejects the query: .*parse error/);
    expect(hasNoStackTrace(run.out)).toBe(true);
    expect(record(dir).load).toBeUndefined();
  });

  it('an unreachable Prometheus: exit 3 before any request, the reason said', async () => {
    const dir = project({
      'gauntlet.config.yaml': config({ slos: `    - { name: x, query: 'up', objective: "<1" }` }).replace(
        prom.prometheusUrl,
        'http://127.0.0.1:9',
      ),
      'p.yaml': PROFILE,
    });
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: env() });
    expect(run.code).toBe(3);
    expect(run.out).toContain('Prometheus at http://127.0.0.1:9 is unreachable');
  });
});

describe('results out', () => {
  it('a Pushgateway that refuses never changes the verdict: reported apart', async () => {
    const dir = project({
      'gauntlet.config.yaml': config({ env: '    pushgateway: { url: "http://127.0.0.1:9" }' }),
      'p.yaml': PROFILE.replace(/ {2}- \{ name: items.*\n/, '').replace('weight: 1 }', 'weight: 1 }'),
    });
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: env(), timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/warning: pushgateway: .* \(the verdict stands\)/);
    expect(record(dir).delivery![0]).toMatchObject({ to: 'pushgateway', ok: false });
  }, 60_000);
});

describe('prometheus remote write', () => {
  it("pushes the load live under k6's names and labels; read back with PromQL, Prometheus's figures are the record's", async () => {
    const dir = project({
      'gauntlet.config.yaml': `${config({ env: '' })}outputs:
  prometheusRemoteWrite: { url: "${prom.prometheusUrl}/api/v1/write", pushInterval: 1s }
`,
      'p.yaml': PROFILE,
    });
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: env(), timeoutMs: 90_000 });
    expect(run.code, run.out).toBe(0); // http_req_failed rate<=1: the 500s of /api/items are figures here
    const r = record(dir);
    const pushes = Number(/prometheus remote write: (\d+) pushes of the run's series/.exec(run.out)?.[1]);
    expect(pushes, run.out).toBeGreaterThanOrEqual(4); // live, every second of a 6 s run, and the end
    const q = async (promql: string) => {
      const res = await fetch(`${prom.prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
      return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } })
        .data.result;
    };
    const id = `testid="${r.runId}"`;
    const total = await q(`sum(k6_http_reqs_total{${id}})`);
    expect(Number(total[0]!.value[1])).toBe(r.load!.totals.requests);
    const fiveHundreds = await q(`sum(k6_http_reqs_total{${id},name="items",status="500"})`);
    expect(Number(fiveHundreds[0]!.value[1])).toBe(r.load!.byName.items!.totals.statuses['500']);
    const p99 = await q(`k6_http_req_duration_p99{${id},name="health",method="GET",scenario="mixed"}`);
    expect(Number(p99[0]!.value[1])).toBeCloseTo(r.load!.byName.health!.latency!.p99Ms / 1000, 6);
    const failed = await q(`k6_http_req_failed_rate{${id},name="items"}`);
    const items = r.load!.byName.items!.totals;
    expect(Number(failed[0]!.value[1])).toBeCloseTo(items.failed / items.requests, 9);
    // Live: the counter has several samples over the run, not one at the end.
    const samples = await q(`count_over_time(k6_iterations_total{${id}}[5m])`);
    expect(Number(samples[0]!.value[1])).toBe(pushes);
  }, 120_000);

  it('trends as native histograms: every request in the histogram, its quantiles within a bucket of the record', async () => {
    const dir = project({
      'gauntlet.config.yaml': `${config({ env: '' })}outputs:
  prometheusRemoteWrite: { url: "${prom.prometheusUrl}/api/v1/write", pushInterval: 1s, nativeHistograms: true }
`,
      'p.yaml': PROFILE.replace('duration: 6s', 'duration: 3s'),
    });
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: env(), timeoutMs: 90_000 });
    expect(run.code, run.out).toBe(0);
    const r = record(dir);
    const q = async (promql: string) => {
      const res = await fetch(`${prom.prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1]);
    };
    const sel = `k6_http_req_duration_seconds{testid="${r.runId}",name="health"}`;
    const health = r.load!.byName.health!;
    expect(await q(`histogram_count(${sel})`)).toBe(health.latency!.count);
    expect(await q(`histogram_sum(${sel})`)).toBeCloseTo((health.latency!.meanMs * health.latency!.count) / 1000, 3);
    // Schema 8: a bucket is 0.27 % wide; the HDR histogram's own 3 digits add 0.1 %.
    for (const [q99, ms] of [
      [0.5, health.latency!.p50Ms],
      [0.99, health.latency!.p99Ms],
    ] as const) {
      const seconds = await q(`histogram_quantile(${q99}, ${sel})`);
      expect(Math.abs(seconds * 1000 - ms) / ms, `q${q99}`).toBeLessThan(0.005);
    }
    // No stat gauges beside it: the histogram replaces them, as in k6.
    expect(await q(`count(k6_http_req_duration_p99{testid="${r.runId}"})`)).toBeNaN();
  }, 120_000);

  it('a receiver that refuses is a warning, never a changed run', async () => {
    const dir = project({
      'gauntlet.config.yaml': `${config({ env: '' })}outputs:
  prometheusRemoteWrite: { url: "${prom.pushgatewayUrl}/nowhere", pushInterval: 1s }
`,
      'p.yaml': PROFILE.replace('duration: 6s', 'duration: 2s'),
    });
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: env(), timeoutMs: 60_000 });
    expect(run.out).toMatch(/warning: prometheus remote write: 404/);
    expect(run.out).toMatch(/prometheus remote write: 0 pushes of the run's series \(testid=\S+\), \d+ failed/);
    expect(record(dir).load!.totals.requests).toBeGreaterThan(0);
  }, 60_000);
});

describe('the prometheus probe', () => {
  it('reads the server’s error ratio during an experiment; unhealthy, it is an abort condition: no fault injected', async () => {
    const dir = project({
      'gauntlet.config.yaml': config(),
      'p.yaml': PROFILE.replace('duration: 6s', 'duration: 8s'),
      'exp.yaml': `name: stop when the server says so
probes:
  - { kind: http, name: api, path: /health, interval: 200ms }
  - { kind: prometheus, name: health 5xx, query: '${ratio('/health')}', objective: "<0.01", interval: 1s }
  - { kind: prometheus, name: items 5xx, query: '${ratio('/api/items')}', objective: "<0.01", interval: 1s }
steadyState: { probes: [api, health 5xx], samples: 2 }
method:
  - fault: { kind: process-kill, pidFile: "\${env:DEMO_API_PIDFILE}", children: true, count: 1 }
    at: 6s
duration: 7s
load: p.yaml
abort: { probeFailing: items 5xx }
recovery: { healthySamples: 2, timeout: 5s }
`,
    });
    const run = await gauntlet(['chaos', 'exp.yaml'], { cwd: dir, env: env(), timeoutMs: 120_000 });
    const c = record(dir).chaos![0]!;
    expect(c.stoppedEarly, run.out).toBe('abort condition: probe "items 5xx" is unhealthy; no further fault injected');
    expect(c.faults[0]!.injectedAtMs).toBeUndefined();
    const health = c.probes.find((p) => p.name === 'health 5xx')!;
    expect(health.total).toBeGreaterThanOrEqual(5);
    expect(health.ok).toBe(health.total);
    const items = c.probes.find((p) => p.name === 'items 5xx')!;
    expect(items.ok).toBeLessThan(items.total);
  }, 120_000);
});

describe('alerts and annotations during chaos', () => {
  it('an alert from the real Alertmanager is a verdict; a fault and its recovery become Grafana annotations', async () => {
    const seen: { path: string; auth: string; body: Record<string, unknown> }[] = [];
    const grafana = await server((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        seen.push({
          path: `${req.method} ${req.url}`,
          auth: req.headers.authorization ?? '',
          body: JSON.parse(b || '{}') as Record<string, unknown>,
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":1,"message":"Annotation added"}');
      });
    });
    try {
      const dir = project({
        'gauntlet.config.yaml': `${config({
          env: `    grafana: { url: "${grafana.url}", token: "\${env:GRAFANA_TOKEN}" }`,
        })}outputs:
  prometheusRemoteWrite: { url: "${prom.prometheusUrl}/api/v1/write" }
`,
        'p.yaml': PROFILE.replace('duration: 6s', 'duration: 10s'),
        'exp.yaml': `name: worker kill with alerts
probes:
  - { kind: http, name: api, path: /health, interval: 200ms }
method:
  - fault: { kind: process-kill, pidFile: "\${env:DEMO_API_PIDFILE}", children: true, count: 1 }
    at: 2s
duration: 8s
load: p.yaml
alerts:
  - { name: DemoServerErrors, expect: fires, within: 30s }
  - { labels: { severity: critical }, expect: silent }
  - { name: NoSuchAlert, expect: fires }
slos: { rto: "<10s" }
`,
      });
      const run = await gauntlet(['chaos', 'exp.yaml'], { cwd: dir, env: env(), timeoutMs: 120_000 });
      expect(run.code, run.out).toBe(1);
      const byId = Object.fromEntries(record(dir).verdicts.map((v) => [v.id, v]));
      expect(byId['alert DemoServerErrors fires']!.status).toBe('pass');
      expect(byId['alert DemoServerErrors fires']!.detail).toMatch(/DemoServerErrors active since \d{4}-/);
      expect(byId['alert any alert{severity="critical"} silent']!.status).toBe('pass');
      expect(byId['alert NoSuchAlert fires']).toMatchObject({ status: 'fail', observed: 'never fired' });
      expect(record(dir).chaos![0]!.alerts!.polls).toBeGreaterThan(5);

      expect(seen).toHaveLength(1);
      expect(seen[0]!.path).toBe('POST /api/annotations');
      expect(seen[0]!.auth).toBe('Bearer glsa_test_token_5f1e2d');
      const a = seen[0]!.body as { time: number; timeEnd?: number; tags: string[]; text: string };
      expect(a.time).toBeGreaterThan(Date.parse(record(dir).startedAt));
      expect(a.tags).toEqual(['gauntlet', 'chaos', 'test', record(dir).runId]);
      expect(a.text).toContain('process-kill');
      expect(record(dir).delivery!.find((d) => d.to === 'grafana')).toMatchObject({
        ok: true,
        detail: '1 annotation written',
      });
      expect(allArtifactText(dir)).not.toContain('glsa_test_token_5f1e2d');
      // The fault as a series beside the k6_ ones: 1 from its injection, 0 from its recovery.
      expect(record(dir).delivery!.find((d) => d.to === 'prometheus remote write')).toMatchObject({
        ok: true,
        detail: '1 fault series written',
      });
      const f = record(dir).chaos![0]!.faults[0]!;
      const res = await fetch(
        `${prom.prometheusUrl}/api/v1/query?query=${encodeURIComponent(
          `gauntlet_fault_active{testid="${record(dir).runId}",fault="1.1"}[1h]`,
        )}`,
      );
      const raw = ((await res.json()) as { data: { result: { values: [number, string][] }[] } }).data.result[0]!.values;
      // The worker kill saw no outage (RTO 0): 1 at the injection, 0 a millisecond later.
      const on = Math.round(Date.parse(record(dir).startedAt) + f.injectedAtMs!);
      expect(f.rtoMs).toBe(0);
      expect(raw).toEqual([
        [on / 1000, '1'],
        [(on + 1) / 1000, '0'],
      ]);
    } finally {
      await grafana.close();
    }
  }, 150_000);
});

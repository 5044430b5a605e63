// Chaos on a Kubernetes node whose pods really run: the control plane of test/fixtures/kube.ts
// with a real kubelet, containerd and runc (test/fixtures/kube-node.ts). The workload is a
// Deployment of real containers (test/kube/app) sharing one loopback port, with exec readiness
// and liveness probes; a pod killed under load is replaced by a container that really starts;
// a liveness failure really restarts a container; k6-operator's runner pods are real k6
// containers whose logs carry the summaries Gauntlet merges; Patroni on Kubernetes loses its
// leader's pod under write load and fails over. Nothing is left running after.
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deploymentWhole,
  installTestRunCrd,
  startKubePlane,
  waitForDefaultServiceAccount,
  type KubePlane,
} from './fixtures/kube.ts';
import { IMAGES } from './fixtures/kube-node.ts';
import { deployPatroni } from './fixtures/kube-patroni.ts';
import { freePort, startDaemon, stopPid, waitForPort } from '../src/targets/local/process.ts';
import { summaryFromLog } from '../src/run/load/k6/operator.ts';
import type { ChaosResult } from '../src/record/schema.ts';
import { gauntlet, hasNoStackTrace, latestReport, project } from './helpers.ts';
import { fixedDelayServer, type Running } from './fixtures/servers.ts';
import type { LoadResult } from '../src/record/schema.ts';
import { decode, mergeInto, newHistogram, percentileMs } from '../src/measure/histogram.ts';
import { sleep } from '../src/core/sleep.ts';

let plane: KubePlane;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let custom: k8s.CustomObjectsApi;
let appPort: number;
const NS = 'shop';

/** The app as users deploy it: replicas, probes that look at this container, a short grace period. */
const appDeployment = (name: string, replicas: number, port: number): k8s.V1Deployment => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        hostNetwork: true,
        terminationGracePeriodSeconds: 2,
        containers: [
          {
            name,
            image: IMAGES.app,
            imagePullPolicy: 'Never',
            env: [
              { name: 'PORT', value: String(port) },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
            readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1 },
            livenessProbe: { exec: { command: ['test', '-f', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      },
    },
  },
});

const whole = (name: string, timeoutMs?: number) => deploymentWhole(apps, NS, name, timeoutMs);

const livePods = async (selector: string) =>
  (await core.listNamespacedPod({ namespace: NS, labelSelector: selector })).items.filter(
    (p) => !p.metadata?.deletionTimestamp,
  );

beforeAll(async () => {
  plane = await startKubePlane({ node: 'kubelet', images: ['app', 'k6', 'patroni', 'gauntlet'] });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(plane.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await waitForDefaultServiceAccount(plane, NS);
  appPort = await freePort();
  await apps.createNamespacedDeployment({ namespace: NS, body: appDeployment('api', 3, appPort) });
  await whole('api');
}, 180_000);
afterAll(async () => {
  await plane?.stop();
});

const config = () => `environments:
  k:
    baseUrl: http://127.0.0.1:${appPort}
    kubernetes: { context: gauntlet-test, namespace: ${NS}, kubeconfig: "${plane.kubeconfig}" }
defaultEnvironment: k
kubernetes:
  allow:
    - { context: gauntlet-test, namespaces: [${NS}] }
`;
const chaosOf = (dir: string) => (latestReport(dir).record as unknown as { chaos: ChaosResult[] }).chaos[0]!;

describe('pod-kill on a real node', () => {
  it('under load: the replacement container really starts and turns Ready, a liveness failure restarts a container, both measured', async () => {
    const before = await livePods('app=api');
    expect(before.map((p) => p.status?.containerStatuses?.[0]?.ready)).toEqual([true, true, true]);
    const dir = project({
      'gauntlet.config.yaml': config(),
      'load.yaml': `name: steady
scenario: { executor: constant-arrival-rate, rate: 50, timeUnit: 1s, duration: 9s, preAllocatedVUs: 10 }
requests: [{ name: home, path: / }]
thresholds: { http_req_duration: ["p(95)<500"] }
`,
      'exp.yaml': `name: real pod kill
probes:
  - { kind: kube-ready, name: api ready, workload: Deployment/api, interval: 200ms }
  - { kind: http, name: api, path: /health, interval: 100ms }
steadyState: { samples: 2 }
method:
  - fault: { kind: pod-kill, selector: app=api, mode: one }
    at: 1s
load: load.yaml
# Longer than the load: the liveness restart comes after the replacement is up, and on a busy
# 2-core runner that can be late in a 9 s window.
duration: 14s
recovery: { healthySamples: 2, timeout: 60s }
slos: { rto: "<60s" }
`,
    });
    // Once the kill is done, break the liveness of whichever replica answers: the kubelet must
    // restart that container, and the experiment must count it.
    let broken = '';
    const breaker = (async () => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const now = await livePods('app=api');
        if (now.some((p) => !before.some((b) => b.metadata!.uid === p.metadata!.uid))) {
          await sleep(500);
          const r = await fetch(`http://127.0.0.1:${appPort}/break`, { method: 'POST' });
          broken = ((await r.json()) as { broken: string }).broken;
          return;
        }
        await sleep(100);
      }
    })();
    const run = await gauntlet(['chaos', 'exp.yaml'], { cwd: dir, timeoutMs: 120_000 });
    await breaker;
    expect(run.code, run.out).toBe(0);
    expect(broken).toMatch(/^api-/);
    const c = chaosOf(dir);
    const f = c.faults[0]!;
    expect(f.events[0]!.what).toMatch(/^deleted api-[a-z0-9-]+ \(1 of 3, Deployment api\)$/);
    // Time to Ready from a real container start: the runtime started it, then its probe passed.
    const m =
      /replacements Ready after ([\d.]+) (µs|ms|s) \(api-[a-z0-9-]+: containers running after ([\d.]+) (µs|ms|s), Ready ([\d.]+) (µs|ms|s) later\)/.exec(
        f.recovery ?? '',
      );
    expect(m, f.recovery).not.toBeNull();
    const ms = (v: string, unit: string) => Number(v) * (unit === 's' ? 1000 : unit === 'µs' ? 0.001 : 1);
    expect(ms(m![3]!, m![4]!)).toBeGreaterThan(0);
    expect(ms(m![5]!, m![6]!)).toBeGreaterThan(0);
    expect(f.rtoMs).toBeGreaterThan(ms(m![3]!, m![4]!));
    expect(f.recovery).toContain(`1 container restart during the experiment (${broken}: 1)`);
    // The load ran through it, on the shared port the replicas serve.
    expect(c.load!.series.reduce((n, s) => n + s.requests, 0)).toBeGreaterThan(300);
    const after = await livePods('app=api');
    expect(after).toHaveLength(3);
    expect(after.find((p) => p.metadata!.name === broken)!.status!.containerStatuses![0]!.restartCount).toBe(1);
    await whole('api');
  }, 150_000);
});

describe('k6-operator with real k6 runner pods', () => {
  beforeAll(async () => {
    await installTestRunCrd(plane, NS);
  }, 60_000);

  type TestRun = {
    metadata: { name: string };
    spec: {
      parallelism: number;
      arguments?: string;
      script: { configMap: { name: string; file: string } };
      runner?: { image?: string; env?: k8s.V1EnvVar[] };
    };
  };

  /**
   * Plays k6-operator's controller (its module is not served here): for each TestRun, one runner
   * pod per parallelism index running the real k6 image with the execution segment k6-operator
   * gives it and the script from the ConfigMap at /test, as the operator's runner Jobs do — but
   * not paused (there is no starter pod to resume them), each with its own REST port (host
   * networking). Stages move as the operator's do: initialization → created → started → finished.
   */
  function playOperator(): { stop(): void; seen: string[] } {
    const seen: string[] = [];
    let stopped = false;
    const stage = (name: string, s: string) =>
      custom.patchNamespacedCustomObjectStatus(
        {
          group: 'k6.io',
          version: 'v1alpha1',
          namespace: NS,
          plural: 'testruns',
          name,
          body: { status: { stage: s } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
    void (async () => {
      while (!stopped) {
        const list = (await custom
          .listNamespacedCustomObject({ group: 'k6.io', version: 'v1alpha1', namespace: NS, plural: 'testruns' })
          .catch(() => ({ items: [] }))) as { items: TestRun[] };
        for (const tr of list.items) {
          const name = tr.metadata.name;
          if (seen.includes(name)) continue;
          seen.push(name);
          await stage(name, 'initialization');
          await stage(name, 'created');
          const n = tr.spec.parallelism;
          const seq = Array.from({ length: n + 1 }, (_, i) => (i === 0 ? '0' : i === n ? '1' : `${i}/${n}`)).join(',');
          for (let i = 1; i <= n; i++) {
            const seg = `${i === 1 ? '0' : `${i - 1}/${n}`}:${i === n ? '1' : `${i}/${n}`}`;
            await core.createNamespacedPod({
              namespace: NS,
              body: {
                metadata: { name: `${name}-${i}`, labels: { app: 'k6', k6_cr: name, runner: 'true' } },
                spec: {
                  hostNetwork: true,
                  restartPolicy: 'Never',
                  terminationGracePeriodSeconds: 1,
                  containers: [
                    {
                      name: 'k6',
                      image: tr.spec.runner?.image ?? IMAGES.k6,
                      imagePullPolicy: 'Never',
                      command: [
                        'k6',
                        'run',
                        '--quiet',
                        `--execution-segment=${seg}`,
                        `--execution-segment-sequence=${seq}`,
                        ...(tr.spec.arguments ?? '').split(' ').filter(Boolean),
                        `/test/${tr.spec.script.configMap.file}`,
                        `--address=127.0.0.1:${await freePort()}`,
                        '--tag',
                        `instance_id=${i}`,
                        '--tag',
                        `job_name=${name}-${i}`,
                      ],
                      env: tr.spec.runner?.env ?? [],
                      volumeMounts: [{ name: 'k6-test-volume', mountPath: '/test' }],
                    },
                  ],
                  volumes: [{ name: 'k6-test-volume', configMap: { name: tr.spec.script.configMap.name } }],
                },
              },
            });
          }
          await stage(name, 'started');
          // Finished when every runner container has exited.
          const deadline = Date.now() + 60_000;
          for (;;) {
            const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: `k6_cr=${name}` })).items;
            if (pods.length === n && pods.every((p) => ['Succeeded', 'Failed'].includes(p.status?.phase ?? ''))) break;
            if (Date.now() > deadline || stopped) break;
            await sleep(250);
          }
          await stage(name, 'finished');
        }
        await sleep(200);
      }
    })();
    return { seen, stop: () => (stopped = true) };
  }

  const profile = (thresholds: string) =>
    `name: dist\nscenario: { executor: constant-vus, vus: 4, duration: 3s }\ngracefulStop: 1s\nrequests: [{ name: home, path: / }]\nthresholds: ${thresholds}\n`;
  const exists = async (name: string) => {
    const cm = await core.readNamespacedConfigMap({ name, namespace: NS }).then(
      () => true,
      () => false,
    );
    const tr = await custom
      .getNamespacedCustomObject({ group: 'k6.io', version: 'v1alpha1', namespace: NS, plural: 'testruns', name })
      .then(
        () => true,
        () => false,
      );
    return cm || tr;
  };

  it('two real k6 runners: their summaries are read from real pod logs, merged, and judged; what Gauntlet created is removed', async () => {
    const op = playOperator();
    try {
      // One threshold the merged run passes, one it cannot: the verdicts must say which is which.
      const dir = project({
        'gauntlet.config.yaml': config(),
        'p.yaml': profile('{ http_req_duration: ["p(95)<500"], http_reqs: ["count>100000000"] }'),
      });
      const run = await gauntlet(['load', 'p.yaml', '--engine', 'k6-operator', '--parallelism', '2'], {
        cwd: dir,
        timeoutMs: 120_000,
      });
      expect(run.code, run.out).toBe(1);
      expect(run.out).toMatch(/k6-operator: TestRun gauntlet-\S+ created in gauntlet-test\/shop with parallelism 2/);
      expect(run.out).toContain('k6-operator: stage finished');
      expect(run.out).toContain('k6-operator: removed TestRun, Secret, ConfigMap');
      expect(hasNoStackTrace(run.out)).toBe(true);
      const name = op.seen[0]!;
      expect(await exists(name)).toBe(false);

      // Each runner sent real requests, and the merged count is the sum of what their logs say.
      const counts: number[] = [];
      for (const i of [1, 2]) {
        const log = String(await core.readNamespacedPodLog({ name: `${name}-${i}`, namespace: NS }));
        const summary = summaryFromLog(log);
        expect(summary, log.slice(0, 500)).toBeDefined();
        counts.push(Number(summary!.metrics.http_reqs?.values.count));
      }
      expect(counts.every((n) => n > 10)).toBe(true);
      const rec = latestReport(dir).record;
      const v = (id: string) => rec.verdicts.find((x) => x.id === id);
      expect(v('http_req_duration p(95)<500')?.status).toBe('pass');
      expect(v('http_reqs count>100000000')?.status).toBe('fail');
      expect((rec as unknown as { load: { totals: { requests: number } } }).load.totals.requests).toBe(
        counts[0]! + counts[1]!,
      );
    } finally {
      op.stop();
      await core.deleteCollectionNamespacedPod({ namespace: NS, labelSelector: 'app=k6' });
    }
  }, 150_000);

  it('through Prometheus native histograms: the runners’ latency merged there, p95 known to within its bucket, thresholds judged on it', async () => {
    // Debian's Prometheus with the remote-write receiver and native histograms, on loopback.
    const promDir = mkdtempSync(join(tmpdir(), 'gauntlet-prom-'));
    writeFileSync(join(promDir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
    const promPort = await freePort();
    const prom = startDaemon(
      'prometheus',
      [
        `--config.file=${join(promDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(promDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--web.enable-remote-write-receiver',
        '--enable-feature=native-histograms',
      ],
      { log: join(promDir, 'prometheus.log'), cwd: promDir },
    );
    const slow = await fixedDelayServer(50);
    const op = playOperator();
    try {
      await waitForPort(promPort, 20_000, 'Prometheus', join(promDir, 'prometheus.log'));
      const dir = project({
        'gauntlet.config.yaml': `environments:
  k:
    baseUrl: ${slow.url}
    kubernetes:
      context: gauntlet-test
      namespace: ${NS}
      kubeconfig: "${plane.kubeconfig}"
      k6Operator:
        prometheus: { remoteWriteUrl: "http://127.0.0.1:${promPort}/api/v1/write", queryUrl: "http://127.0.0.1:${promPort}" }
defaultEnvironment: k
kubernetes:
  allow:
    - { context: gauntlet-test, namespaces: [${NS}] }
`,
        'p.yaml': profile('{ http_req_duration: ["p(95)<500", "p(95)<45"] }'),
      });
      const run = await gauntlet(['load', 'p.yaml', '--engine', 'k6-operator', '--parallelism', '2'], {
        cwd: dir,
        timeoutMs: 120_000,
      });
      expect(run.code, run.out).toBe(1);
      const rec = latestReport(dir).record as unknown as {
        load: LoadResult;
        verdicts: { id: string; status: string }[];
      };
      const bound = rec.load.k6!.bound!;
      expect(bound).toContain('native histograms merged in Prometheus');
      const m =
        /\((\d+) samples; each known to within its bucket, at most ([\d.]+) % wide\) \(p95 in ([\d.]+)–([\d.]+) ms\)/.exec(
          bound,
        );
      expect(m, bound).not.toBeNull();
      // Every request of both runners is in the merged histogram.
      expect(Number(m![1])).toBe(rec.load.totals.requests);
      const [lo, hi] = [Number(m![3]), Number(m![4])];
      // The truth: the server answers after 50 ms, so p95 lies above it (how far depends on the
      // shared runner's load: 62 ms was seen under foreign CPU work); a merge that added values
      // instead of counts would put it at 100 ms or more.
      expect(hi).toBeGreaterThanOrEqual(50);
      expect(lo).toBeLessThan(100);
      expect(hi / lo - 1).toBeLessThanOrEqual(Number(m![2]) / 100 + 1e-4);
      const p95 = rec.load.all.latency!.p95Ms;
      expect(p95).toBeGreaterThanOrEqual(lo);
      expect(p95).toBeLessThanOrEqual(hi);
      expect(rec.verdicts.find((v) => v.id === 'http_req_duration p(95)<500')?.status).toBe('pass');
      expect(rec.verdicts.find((v) => v.id === 'http_req_duration p(95)<45')?.status).toBe('fail');
    } finally {
      op.stop();
      await core.deleteCollectionNamespacedPod({ namespace: NS, labelSelector: 'app=k6' });
      await slow.close();
      await stopPid(prom.pid, 'SIGTERM', 10_000);
      rmSync(promDir, { recursive: true, force: true });
    }
  }, 150_000);
});

describe('Patroni on Kubernetes: the leader pod deleted under write load', () => {
  it('a synchronous standby takes over; RTO from the API and the write ledger; 0 acknowledged writes lost; the deleted member rejoins', async () => {
    const DB = 'db';
    await core.createNamespace({ body: { metadata: { name: DB } } });
    await waitForDefaultServiceAccount(plane, DB);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(plane.kubeconfig);
    const pg = await deployPatroni({
      core,
      apps,
      rbac: kc.makeApiClient(k8s.RbacAuthorizationV1Api),
      namespace: DB,
      apiServer: plane.server,
      synchronous: true,
    });
    const leaderBefore = (await pg.members()).find((m) => m.role === 'leader')!.name;
    const dir = project({
      'gauntlet.config.yaml': `environments:
  k:
    baseUrl: http://127.0.0.1:1
    postgres: { url: "\${env:DB_URL}" }
    kubernetes: { context: gauntlet-test, namespace: ${DB}, kubeconfig: "${plane.kubeconfig}" }
smoke: []
kubernetes:
  allow:
    - { context: gauntlet-test, namespaces: [${DB}] }
`,
      'exp.yaml': `name: kube db failover
probes:
  - { kind: db-write, name: writes, interval: 20ms }
  - { kind: kube-ready, name: pg ready, workload: StatefulSet/pg, interval: 500ms }
method:
  - fault: { kind: kube-db-failover, operator: patroni, cluster: pg }
    at: 2s
duration: 20s
recovery: { healthySamples: 5, timeout: 90s }
slos: { rto: "<30s", rpo: "0 writes" }
`,
    });
    const run = await gauntlet(['chaos', 'exp.yaml'], { cwd: dir, env: { DB_URL: pg.url }, timeoutMs: 200_000 });
    expect(run.code, run.out).toBe(0);
    const c = chaosOf(dir);
    const f = c.faults[0]!;
    expect(f.events[0]!.what).toBe(`deleted the primary pod ${leaderBefore} (forced)`);
    // Recovered when the API shows a Ready pod labelled primary AND writes are acknowledged again.
    expect(f.recovery).toMatch(/pg-\d is the Ready primary \(role=master,cluster-name=pg\)/);
    expect(f.recovery).toMatch(/writes: healthy from [\d.]+ s to the end of the window \(\d+ samples\)/);
    expect(f.rtoMs).toBeGreaterThan(0);
    expect(f.rtoMs).toBeLessThan(30_000);
    // Writes failed during the failover, and none of those acknowledged was lost.
    expect(c.ledger!.failed + c.ledger!.indeterminate).toBeGreaterThan(0);
    expect(c.ledger!.acknowledged).toBeGreaterThan(100);
    expect(c.ledger!.lost).toEqual([]);
    const v = (id: string) => latestReport(dir).record.verdicts.find((x) => x.id === id)!;
    expect(v('rpo').status).toBe('pass');
    expect(v('rto 1.1').status).toBe('pass');
    // A new leader, and the deleted member back as a replica of it.
    const after = await pg.healthy(120_000);
    expect(after.find((m) => m.role === 'leader')!.name).not.toBe(leaderBefore);
    expect(after.find((m) => m.name === leaderBefore)!.role).toMatch(/^(replica|sync_standby)$/);
  }, 300_000);
});

describe('distributed load: the embedded engine sharded over an Indexed Job', () => {
  let target: Running;
  beforeAll(async () => {
    target = await fixedDelayServer(100);
  });
  afterAll(() => target?.close());

  const shardConfig = () => `environments:
  k:
    baseUrl: ${target.url}
    kubernetes:
      context: gauntlet-test
      namespace: ${NS}
      kubeconfig: "${plane.kubeconfig}"
      shards: { image: ${IMAGES.gauntlet}, hostNetwork: true, startDelay: 30s }
defaultEnvironment: k
kubernetes:
  allow:
    - { context: gauntlet-test, namespaces: [${NS}] }
`;
  const loadOf = (dir: string) => (latestReport(dir).record as unknown as { load: LoadResult }).load;
  const shardPods = async () =>
    (await core.listNamespacedPod({ namespace: NS, labelSelector: 'app.kubernetes.io/managed-by=gauntlet' })).items;
  const jobs = async () =>
    (await plane.request('GET', `/apis/batch/v1/namespaces/${NS}/jobs`)).body as { items: unknown[] };

  it("4 shards: counts add up exactly, the histogram is the exact sum of the shards' own, the median matches a single-process run, nothing left", async () => {
    const profile = `name: dist
scenario: { executor: constant-arrival-rate, rate: 200, timeUnit: 1s, duration: 5s, preAllocatedVUs: 20 }
requests: [{ name: home, path: / }]
thresholds: { http_req_duration: ["p(95)<500"] }
`;
    const dir = project({ 'gauntlet.config.yaml': shardConfig(), 'p.yaml': profile });
    const run = await gauntlet(['load', 'p.yaml', '--engine', 'kubernetes', '--parallelism', '4'], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(
      /kubernetes: Job gauntlet-\S+ created in gauntlet-test\/shop: 4 shards of gauntlet.local\/gauntlet:dev/,
    );
    const load = loadOf(dir);
    expect(load.engine).toBe('kubernetes');
    expect(load.shards).toHaveLength(4);
    expect(load.shards!.map((x) => x.status)).toEqual(['done', 'done', 'done', 'done']);
    // Every shard carried its quarter of the schedule; the merge is their exact sum.
    expect(load.totals.requests + load.totals.droppedIterations).toBe(1000);
    expect(load.shards!.reduce((n, x) => n + x.requests, 0)).toBe(load.totals.requests);
    for (const x of load.shards!) expect(x.requests).toBeGreaterThanOrEqual(240);
    expect(load.shards!.every((x) => x.where?.startsWith('gauntlet-'))).toBe(true);
    expect(latestReport(dir).record.verdicts.find((v) => v.id === 'shards')!.status).toBe('pass');

    // The merge is exact: the run-wide histogram is the sum of the four shards' own histograms,
    // bucket for bucket, so every percentile of the verdict is the one of the union.
    const union = newHistogram();
    for (const x of load.shards!) mergeInto(union, x.histogram!);
    const merged = decode(load.all.histogram);
    expect(merged.totalCount).toBe(load.totals.requests);
    expect(union.totalCount).toBe(merged.totalCount);
    for (const p of [50, 90, 95, 99, 99.9, 100]) expect(percentileMs(merged, p)).toBe(percentileMs(union, p));

    // The same schedule in one process: the same distribution around the server's 100 ms. Only
    // the median is compared — the tails of two runs differ by their own timing noise (4 shard
    // processes, the coordinator and the target share 2 cores; measured p99 113 vs 150 ms), which
    // says nothing about the merge.
    const single = project({ 'gauntlet.config.yaml': shardConfig(), 'p.yaml': profile });
    const one = await gauntlet(['load', 'p.yaml'], { cwd: single, timeoutMs: 60_000 });
    expect(one.code, one.out).toBe(0);
    const a = load.all.latency!;
    const b = loadOf(single).all.latency!;
    expect(a.count).toBe(b.count);
    expect(Math.abs(a.p50Ms - b.p50Ms) / b.p50Ms, `p50 ${a.p50Ms} vs ${b.p50Ms}`).toBeLessThan(0.05);

    expect(run.out).toContain('kubernetes: removed Job and Secret');
    expect(await shardPods()).toEqual([]);
    expect((await jobs()).items).toEqual([]);
  }, 180_000);

  it('a shard whose pod dies mid-run is reported with what it had sent, and fails the run; the others finish', async () => {
    const dir = project({
      'gauntlet.config.yaml': shardConfig(),
      'p.yaml': `name: dist
scenario: { executor: constant-vus, vus: 4, duration: 8s }
requests: [{ name: home, path: / }]
`,
    });
    // Kill shard 1's process outright (as the OOM killer would), 3 s into the load: the shards
    // start 30 s after their pods are created.
    let killed = '';
    const killer = (async () => {
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const victim = (await shardPods()).find(
          (p) => p.metadata?.labels?.['batch.kubernetes.io/job-completion-index'] === '1',
        );
        if (victim) {
          const created = new Date(victim.metadata!.creationTimestamp!).getTime();
          await sleep(created + 33_000 - Date.now());
          const pid = readdirSync('/proc')
            .filter((d) => /^\d+$/.test(d))
            .find((d) => {
              try {
                const env = readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
                return (
                  env.includes('JOB_COMPLETION_INDEX=1') && env.some((e) => e.startsWith('GAUNTLET_SHARD_START_AT='))
                );
              } catch {
                return false;
              }
            });
          if (!pid) return;
          process.kill(Number(pid), 'SIGKILL');
          killed = victim.metadata!.name!;
          return;
        }
        await sleep(200);
      }
    })();
    const run = await gauntlet(['load', 'p.yaml', '--engine', 'kubernetes', '--parallelism', '2'], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    await killer;
    expect(killed).not.toBe('');
    expect(run.code, run.out).toBe(1);
    const load = loadOf(dir);
    expect(load.shards!.map((x) => x.status)).toEqual(['done', 'lost']);
    expect(load.shards![1]!.requests).toBeGreaterThan(0);
    const v = latestReport(dir).record.verdicts.find((x) => x.id === 'shards') as unknown as {
      status: string;
      observed: string;
    };
    expect(v.status).toBe('fail');
    expect(v.observed).toContain(
      `shard 1 (${killed}) after ${load.shards![1]!.requests} requests — its pod ${killed} ended before its report: exit code 137`,
    );
    expect(await shardPods()).toEqual([]);
  }, 180_000);

  it('abortOnFail judged on the merged data deletes the Job: every shard stops and still reports', async () => {
    const dir = project({
      'gauntlet.config.yaml': shardConfig(),
      'p.yaml': `name: dist
scenario: { executor: constant-vus, vus: 4, duration: 30s }
requests: [{ name: home, path: / }]
thresholds:
  http_req_duration:
    - { threshold: p(95)<5, abortOnFail: true, delayAbortEval: 1s }
`,
    });
    const t0 = Date.now();
    const run = await gauntlet(['load', 'p.yaml', '--engine', 'kubernetes', '--parallelism', '2'], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    expect(run.code, run.out).toBe(1);
    expect(Date.now() - t0).toBeLessThan(60_000); // 30 s to start, then stopped well before its 30 s
    const load = loadOf(dir);
    expect(load.stoppedEarly).toMatch(/p\(95\)<5/);
    expect(load.shards!.map((x) => x.status)).toEqual(['done', 'done']);
    expect(await shardPods()).toEqual([]);
    expect((await jobs()).items).toEqual([]);
  }, 180_000);
});

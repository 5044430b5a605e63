// Chaos on Kubernetes against a real control plane (kube-apiserver, controller manager and
// scheduler built from k8s.io/kubernetes, etcd, kwok for the nodes): pods of a real Deployment
// killed and replaced by the real ReplicaSet controller, a rolling restart, a primary-pod
// failover, Chaos Mesh's selector modes, and the guardrails — unlisted contexts and namespaces,
// the kill cap, RBAC — plus an interrupt that leaves nothing changed.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deploymentWhole,
  installTestRunCrd,
  startKubePlane,
  waitForDefaultServiceAccount,
  type KubePlane,
} from './fixtures/kube.ts';
import { countFor } from '../src/run/chaos/faults/kube-shared.ts';
import type { ChaosResult } from '../src/record/schema.ts';
import { gauntlet, hasNoStackTrace, latestReport, project } from './helpers.ts';
import { sleep } from '../src/core/sleep.ts';

let plane: KubePlane;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
const NS = 'shop';

const deployment = (name: string, replicas: number, extra: Partial<k8s.V1PodSpec> = {}): k8s.V1Deployment => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1` }], ...extra } },
  },
});

const whole = (name: string, timeoutMs?: number) => deploymentWhole(apps, NS, name, timeoutMs);

const uids = async (selector: string) =>
  (await core.listNamespacedPod({ namespace: NS, labelSelector: selector })).items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => p.metadata!.uid!)
    .sort();

beforeAll(async () => {
  plane = await startKubePlane();
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(plane.kubeconfig);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespace({ body: { metadata: { name: 'other' } } });
  // The default service account must exist before pods can be created.
  await waitForDefaultServiceAccount(plane, NS);
  await apps.createNamespacedDeployment({ namespace: NS, body: deployment('api', 3) });
  await apps.createNamespacedDeployment({ namespace: NS, body: deployment('web', 4) });
  await apps.createNamespacedStatefulSet({
    namespace: NS,
    body: {
      metadata: { name: 'pg' },
      spec: {
        replicas: 1,
        serviceName: 'pg',
        selector: { matchLabels: { app: 'pg' } },
        template: {
          metadata: { labels: { app: 'pg', 'cnpg.io/cluster': 'pg', 'cnpg.io/instanceRole': 'primary' } },
          spec: { containers: [{ name: 'pg', image: 'postgres:16' }] },
        },
      },
    },
  });
  await Promise.all([whole('api'), whole('web')]);
}, 180_000);
afterAll(async () => {
  await plane?.stop();
});

const config = (extra = '') => `environments:
  k:
    baseUrl: http://127.0.0.1:9
    kubernetes: { context: gauntlet-test, namespace: ${NS}, kubeconfig: "${plane.kubeconfig}" }
  viewer:
    baseUrl: http://127.0.0.1:9
    kubernetes: { context: gauntlet-viewer, namespace: ${NS}, kubeconfig: "${plane.kubeconfig}" }
  unlisted:
    baseUrl: http://127.0.0.1:9
    kubernetes: { context: gauntlet-test, namespace: other, kubeconfig: "${plane.kubeconfig}" }
  nowhere:
    baseUrl: http://127.0.0.1:9
    kubernetes: { context: no-such-context, namespace: ${NS}, kubeconfig: "${plane.kubeconfig}" }
defaultEnvironment: k
kubernetes:
  allow:
    - { context: gauntlet-test, namespaces: [${NS}] }
    - { context: gauntlet-viewer, namespaces: [${NS}] }
    - { context: no-such-context, namespaces: [${NS}] }
${extra}`;

// The steady state of a workload on Kubernetes: every replica Ready and updated (a kube-ready
// probe). An experiment without a probe has no steady state to check, and fails as no-data.
const experiment = (
  fault: string,
  opts: { duration?: string; recovery?: string; slos?: string; workload?: string } = {},
) => `name: kube
${opts.workload ? `probes: [{ kind: kube-ready, name: ${opts.workload.split('/')[1]} ready, workload: ${opts.workload}, interval: 200ms }]\nsteadyState: { samples: 2 }\n` : ''}method:
  - fault: ${fault}
    at: 500ms
duration: ${opts.duration ?? '2s'}
recovery: ${opts.recovery ?? '{ healthySamples: 1, timeout: 60s }'}
slos: ${opts.slos ?? '{ rto: "<60s" }'}
`;
const chaosOf = (dir: string) => (latestReport(dir).record as unknown as { chaos: ChaosResult[] }).chaos[0]!;

describe('pod-kill', () => {
  it('kills one pod of a real Deployment; the ReplicaSet controller replaces it; time to Ready measured through the API', async () => {
    const before = await uids('app=api');
    const dir = project({
      'gauntlet.config.yaml': config(),
      'exp.yaml': experiment('{ kind: pod-kill, selector: app=api, mode: one }', { workload: 'Deployment/api' }),
    });
    const run = await gauntlet(['chaos', 'exp.yaml'], { cwd: dir, timeoutMs: 120_000 });
    expect(run.code, run.out).toBe(0);
    const f = chaosOf(dir).faults[0]!;
    expect(f.events[0]!.what).toMatch(/^deleted api-[a-z0-9-]+ \(1 of 3, Deployment api\)$/);
    expect(f.rtoMs).toBeGreaterThan(0);
    expect(f.rtoMs).toBeLessThan(60_000);
    expect(f.recovery).toMatch(
      /Deployment api whole again \(3\/3 Ready, 3 updated\) after .*replacements Ready after [\d.]+ m?s \(api-/,
    );
    const after = await uids('app=api');
    expect(after).toHaveLength(3);
    expect(after.filter((u) => !before.includes(u))).toHaveLength(1);
    expect(chaosOf(dir).rollbacks[0]!.actions.join()).toContain('Deployment api: 3/3 Ready');
  }, 120_000);

  it('Chaos Mesh modes select the right count', () => {
    expect([
      countFor('one', undefined, 5),
      countFor('all', undefined, 5),
      countFor('fixed', 2, 5),
      countFor('fixed', 9, 5),
      countFor('fixed-percent', 40, 5),
      countFor('fixed-percent', 10, 5),
    ]).toEqual([1, 5, 2, 5, 2, 0]);
    expect(countFor('random-max-percent', 60, 5, () => 0)).toBe(1);
    expect(countFor('random-max-percent', 60, 5, () => 0.99)).toBe(3);
  });

  it('fixed-percent kills that share when the cap allows it; "all" is refused by the 50% cap before anything is deleted (exit 2)', async () => {
    const before = await uids('app=web');
    const dir = project({
      'gauntlet.config.yaml': config(),
      'exp.yaml': experiment('{ kind: pod-kill, selector: app=web, mode: fixed-percent, value: 50 }', {
        workload: 'Deployment/web',
      }),
    });
    const run = await gauntlet(['chaos', 'exp.yaml'], { cwd: dir, timeoutMs: 120_000 });
    expect(run.code, run.out).toBe(0);
    expect(chaosOf(dir).faults[0]!.events[0]!.what).toMatch(/\(2 of 4, Deployment web\)/);
    await whole('web');
    const mid = await uids('app=web');
    expect(mid.filter((u) => !before.includes(u))).toHaveLength(2);

    const refused = project({
      'gauntlet.config.yaml': config(),
      'exp.yaml': experiment('{ kind: pod-kill, selector: app=web, mode: all }'),
    });
    const r2 = await gauntlet(['chaos', 'exp.yaml'], { cwd: refused });
    expect(r2.code).toBe(2);
    expect(r2.out).toContain('would kill 4 of 4 pods matching app=web (100%), above the 50% cap');
    expect(await uids('app=web')).toEqual(mid);
  }, 120_000);

  it('--dry-run lists the pods it would hit and deletes nothing', async () => {
    const before = await uids('app=api');
    const dir = project({
      'gauntlet.config.yaml': config(),
      'exp.yaml': experiment('{ kind: pod-kill, selector: app=api, mode: fixed, value: 1 }'),
    });
    const run = await gauntlet(['chaos', 'exp.yaml', '--dry-run'], { cwd: dir });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(
      /would inject 1\.1 at \+500 ms: delete 1 of 3 pods matching app=api in gauntlet-test\/shop: api-\S+, api-\S+, api-\S+/,
    );
    expect(await uids('app=api')).toEqual(before);
  });

  it('a workload that never recovers: the RTO verdict fails with what was seen', async () => {
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment('stuck', 2) });
    await whole('stuck');
    // Cordon the only node: replacements stay Pending.
    const { setHeaderOptions, PatchStrategy } = k8s;
    const cordon = (v: boolean) =>
      core.patchNode(
        { name: 'kwok-node-0', body: { spec: { unschedulable: v } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
    await cordon(true);
    try {
      const dir = project({
        'gauntlet.config.yaml': config('  maxKillShare: 0.5\n'),
        'exp.yaml': experiment('{ kind: pod-kill, selector: app=stuck, mode: one }', {
          recovery: '{ healthySamples: 1, timeout: 4s }',
          slos: '{ rto: "<60s" }',
          workload: 'Deployment/stuck',
        }),
      });
      const run = await gauntlet(['chaos', 'exp.yaml'], { cwd: dir, timeoutMs: 120_000 });
      expect(run.code, run.out).toBe(1);
      const v = latestReport(dir).record.verdicts.find((x) => x.id === 'rto 1.1') as unknown as {
        status: string;
        observed: string;
        detail: string;
      };
      expect(v.status).toBe('fail');
      expect(v.detail).toMatch(/Deployment stuck not whole within 4(\.00)? s: 1\/2 Ready/);
    } finally {
      await cordon(false);
    }
    await whole('stuck');
  }, 120_000);
});

describe('rolling-restart and db failover', () => {
  it('a rolling restart replaces every pod; its RTO is the rollout', async () => {
    const before = await uids('app=api');
    const dir = project({
      'gauntlet.config.yaml': config(),
      'exp.yaml': experiment('{ kind: rolling-restart, workload: { kind: Deployment, name: api } }', {
        workload: 'Deployment/api',
      }),
    });
    const run = await gauntlet(['chaos', 'exp.yaml'], { cwd: dir, timeoutMs: 120_000 });
    expect(run.code, run.out).toBe(0);
    const f = chaosOf(dir).faults[0]!;
    expect(f.recovery).toMatch(/rollout complete — Deployment api whole again \(3\/3 Ready, 3 updated\)/);
    const after = await uids('app=api');
    expect(after.filter((u) => before.includes(u))).toEqual([]);
    const d = await apps.readNamespacedDeployment({ name: 'api', namespace: NS });
    expect(d.spec!.template.metadata!.annotations!['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-/);
  }, 120_000);

  it('deletes the primary pod of a CloudNativePG-labelled cluster and times a Ready primary again', async () => {
    const dir = project({
      'gauntlet.config.yaml': config(),
      'exp.yaml': experiment('{ kind: kube-db-failover, operator: cnpg, cluster: pg }', { workload: 'StatefulSet/pg' }),
    });
    const run = await gauntlet(['chaos', 'exp.yaml'], { cwd: dir, timeoutMs: 120_000 });
    expect(run.code, run.out).toBe(0);
    const f = chaosOf(dir).faults[0]!;
    expect(f.events[0]!.what).toBe('deleted the primary pod pg-0 (forced)');
    expect(f.recovery).toMatch(/pg-0 is the Ready primary \(cnpg\.io\/instanceRole=primary,cnpg\.io\/cluster=pg\)/);
    expect(f.rtoMs).toBeGreaterThan(0);
  }, 120_000);
});

describe('guardrails and bad input', () => {
  it('an unlisted namespace, an unlisted or unknown context: refused before any call (exit 2)', async () => {
    const before = await uids('app=api');
    const exp = experiment('{ kind: pod-kill, selector: app=api }');
    const unlisted = await gauntlet(['chaos', 'exp.yaml', '--env', 'unlisted'], {
      cwd: project({ 'gauntlet.config.yaml': config(), 'exp.yaml': exp }),
    });
    expect(unlisted.code).toBe(2);
    expect(unlisted.out).toContain('namespace "other" of context "gauntlet-test" is not allow-listed (allowed: shop)');
    const noAllow = await gauntlet(['chaos', 'exp.yaml'], {
      cwd: project({
        'gauntlet.config.yaml': config().replace(/kubernetes:\n {2}allow:[\s\S]*$/, ''),
        'exp.yaml': exp,
      }),
    });
    expect(noAllow.code).toBe(2);
    expect(noAllow.out).toContain('kubernetes context "gauntlet-test" is not allow-listed');
    const unknown = await gauntlet(['chaos', 'exp.yaml', '--env', 'nowhere'], {
      cwd: project({ 'gauntlet.config.yaml': config(), 'exp.yaml': exp }),
    });
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain(
      'context "no-such-context" is not in the kubeconfig (contexts: gauntlet-test, gauntlet-viewer)',
    );
    expect(hasNoStackTrace(unknown.out)).toBe(true);
    expect(await uids('app=api')).toEqual(before);
  });

  it('RBAC forbidding delete: the 403 names the verb and resource needed, the fault fails, nothing deleted', async () => {
    const before = await uids('app=api');
    const run = await gauntlet(['chaos', 'exp.yaml', '--env', 'viewer'], {
      cwd: project({
        'gauntlet.config.yaml': config(),
        'exp.yaml': experiment('{ kind: pod-kill, selector: app=api }'),
      }),
    });
    expect(run.code, run.out).toBe(1);
    expect(run.out).toContain('forbidden: Gauntlet needs "delete" on pods in namespace shop (RBAC)');
    expect(await uids('app=api')).toEqual(before);
  }, 60_000);

  it('a selector matching nothing, and an unreachable API server: one clear line each (exit 3)', async () => {
    const none = await gauntlet(['chaos', 'exp.yaml'], {
      cwd: project({
        'gauntlet.config.yaml': config(),
        'exp.yaml': experiment('{ kind: pod-kill, selector: app=nothing }'),
      }),
    });
    expect(none.code).toBe(3);
    expect(none.out).toContain('selector app=nothing matches no running pod in namespace shop');
    const dead = project({
      'gauntlet.config.yaml': config().replaceAll(plane.kubeconfig, 'kc.yaml'),
      'exp.yaml': experiment('{ kind: pod-kill, selector: app=api }'),
      'kc.yaml': `apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: "https://127.0.0.1:9", insecure-skip-tls-verify: true } }]\nusers: [{ name: u, user: { token: x } }]\ncontexts: [{ name: gauntlet-test, context: { cluster: c, user: u } }]\ncurrent-context: gauntlet-test\n`,
    });
    const r = await gauntlet(['chaos', 'exp.yaml'], { cwd: dead });
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/the Kubernetes API is unreachable \(list pods\)/);
    expect(hasNoStackTrace(r.out)).toBe(true);
  }, 60_000);

  it('an interrupt mid-experiment: rollbacks run, the Deployment is whole and its spec unchanged', async () => {
    const d0 = await whole('api');
    const dir = project({
      'gauntlet.config.yaml': config(),
      'exp.yaml': experiment('{ kind: pod-kill, selector: app=api }', { duration: '30s', workload: 'Deployment/api' }),
    });
    let sent = false;
    const run = await gauntlet(['chaos', 'exp.yaml'], {
      cwd: dir,
      timeoutMs: 120_000,
      onStdout: (chunk, child) => {
        if (!sent && chunk.includes('injected 1.1')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(run.code, run.out).toBe(130);
    expect(chaosOf(dir).rollbacks[0]!.actions.join()).toMatch(/Deployment api: 3\/3 Ready/);
    const d1 = await whole('api');
    expect(d1.metadata!.generation).toBe(d0.metadata!.generation);
    expect(d1.spec).toEqual(d0.spec);
  }, 120_000);
});

describe('k6-operator through the API', () => {
  let custom: k8s.CustomObjectsApi;
  beforeAll(async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(plane.kubeconfig);
    custom = kc.makeApiClient(k8s.CustomObjectsApi);
    await installTestRunCrd(plane, NS);
  }, 60_000);

  /** Plays k6-operator's part the API can show: stages, and runner pods (kwok runs no containers, so there are no logs). */
  function fakeOperator(): { stop(): void; seen: string[] } {
    const seen: string[] = [];
    let stopped = false;
    void (async () => {
      while (!stopped) {
        const list = (await custom
          .listNamespacedCustomObject({ group: 'k6.io', version: 'v1alpha1', namespace: NS, plural: 'testruns' })
          .catch(() => ({ items: [] }))) as {
          items: {
            metadata: { name: string };
            spec: { parallelism: number; script: { configMap: { name: string } } };
          }[];
        };
        for (const tr of list.items) {
          const name = tr.metadata.name;
          if (seen.includes(name)) continue;
          seen.push(name);
          const stage = (s: string) =>
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
          await stage('initialization');
          await core.readNamespacedConfigMap({ name: tr.spec.script.configMap.name, namespace: NS }); // the operator reads the script
          await stage('created');
          for (let i = 1; i <= tr.spec.parallelism; i++) {
            await core.createNamespacedPod({
              namespace: NS,
              body: {
                metadata: { name: `${name}-${i}`, labels: { k6_cr: name, runner: 'true' } },
                spec: { containers: [{ name: 'k6', image: 'grafana/k6' }] },
              },
            });
          }
          await stage('started');
          await sleep(1000);
          await stage('finished');
        }
        await sleep(200);
      }
    })();
    return { seen, stop: () => (stopped = true) };
  }

  const PROFILE =
    'name: dist\nscenario: { executor: constant-vus, vus: 2, duration: 2s }\ngracefulStop: 1s\nrequests: [{ name: home, path: / }]\nthresholds: { http_req_duration: ["p(95)<500"] }\n';
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

  it('creates the ConfigMap, Secret and TestRun, follows its stages, reads runner logs, and removes what it created', async () => {
    const op = fakeOperator();
    try {
      const dir = project({ 'gauntlet.config.yaml': config(), 'p.yaml': PROFILE });
      const run = await gauntlet(['load', 'p.yaml', '--engine', 'k6-operator', '--parallelism', '2'], {
        cwd: dir,
        timeoutMs: 120_000,
      });
      // kwok's pods have no containers and so no logs: the collection step says exactly that.
      expect(run.code, run.out).toBe(3);
      expect(run.out).toMatch(/k6-operator: TestRun gauntlet-\S+ created in gauntlet-test\/shop with parallelism 2/);
      expect(run.out).toContain('k6-operator: stage started');
      expect(run.out).toContain('k6-operator: stage finished');
      expect(run.out).toMatch(
        /collected 0 of 2 runners’ results — gauntlet-\S+-1: its log could not be read \(the API answered \d{3}\)/,
      );
      expect(run.out).toContain('k6-operator: removed TestRun, Secret, ConfigMap');
      expect(op.seen).toHaveLength(1);
      expect(await exists(op.seen[0]!)).toBe(false);
      expect(hasNoStackTrace(run.out)).toBe(true);
    } finally {
      op.stop();
    }
  }, 120_000);

  it('--keep leaves them; a TestRun stuck in a stage times out and is removed; an unlisted context is refused', async () => {
    const op = fakeOperator();
    let kept = '';
    try {
      const dir = project({ 'gauntlet.config.yaml': config(), 'p.yaml': PROFILE });
      const run = await gauntlet(['load', 'p.yaml', '--engine', 'k6-operator', '--keep'], {
        cwd: dir,
        timeoutMs: 120_000,
      });
      expect(run.out).toContain('(--keep)');
      kept = op.seen[0]!;
      expect(await exists(kept)).toBe(true);
    } finally {
      op.stop();
    }
    // No operator now: the TestRun never leaves its first stage.
    const stuck = project({ 'gauntlet.config.yaml': config(), 'p.yaml': PROFILE });
    const r2 = await gauntlet(['load', 'p.yaml', '--engine', 'k6-operator'], {
      cwd: stuck,
      env: { GAUNTLET_K6_OPERATOR_TIMEOUT_MS: '2000' },
      timeoutMs: 60_000,
    });
    expect(r2.code).toBe(3);
    expect(r2.out).toMatch(
      /the TestRun stayed at stage "none" past its [\d.]+ s limit \(is k6-operator running in the cluster\?\)/,
    );
    expect(r2.out).toContain('k6-operator: removed TestRun, Secret, ConfigMap');
    const unlisted = project({ 'gauntlet.config.yaml': config(), 'p.yaml': PROFILE });
    const r3 = await gauntlet(['load', 'p.yaml', '--engine', 'k6-operator', '--env', 'unlisted'], { cwd: unlisted });
    expect(r3.code).toBe(2);
    expect(r3.out).toContain('is not allow-listed');
    await custom.deleteNamespacedCustomObject({
      group: 'k6.io',
      version: 'v1alpha1',
      namespace: NS,
      plural: 'testruns',
      name: kept,
    });
  }, 120_000);
});

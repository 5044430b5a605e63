// Kubernetes faults through the API: pod-kill (Chaos Mesh's modes), rolling-restart (what
// `kubectl rollout restart` does) and a database failover by deleting the primary's pod
// (CloudNativePG or Patroni labels). Recovery is measured through the API with watches: the
// workload whole again (all replicas Ready and updated), each replacement's time to Ready,
// restarts seen. Guardrails: the context and namespace must be allow-listed, and no injection
// may take more than maxKillShare of a workload at once — both checked before anything changes.
import type * as k8s from '@kubernetes/client-node';
import type { FaultSpec } from '../../../config/experiment.ts';
import { cannotRun, configError } from '../../../core/errors.ts';
import { formatMs } from '../../../core/duration.ts';
import {
  call,
  kubeTarget,
  ownerWorkload,
  restartsOf,
  stateOf,
  watchReplacements,
  whenWorkloadReady,
  workloadState,
  type KubeTarget,
  type WorkloadState,
} from '../../../targets/kube.ts';
import type { Fault, FaultContext, FaultEvent, FaultOutcome } from '../fault.ts';
import { sleep } from '../../../core/sleep.ts';

type PodKill = Extract<FaultSpec, { kind: 'pod-kill' }>;
type RollingRestart = Extract<FaultSpec, { kind: 'rolling-restart' }>;
type KubeDbFailover = Extract<FaultSpec, { kind: 'kube-db-failover' }>;
type Workload = { kind: 'Deployment' | 'StatefulSet'; name: string };

function target(ctx: FaultContext, namespace: string | undefined): KubeTarget {
  const k = ctx.env.kubernetes;
  if (!k) throw configError('a Kubernetes fault needs the environment’s kubernetes block (context, namespace)');
  return kubeTarget(k, ctx.kube ?? { allow: [], maxKillShare: 0.5 }, namespace ?? k.namespace);
}

/** How many of n pods a Chaos Mesh mode selects. */
export function countFor(mode: PodKill['mode'], value: number | undefined, n: number, random = Math.random): number {
  switch (mode) {
    case 'one':
      return Math.min(1, n);
    case 'all':
      return n;
    case 'fixed':
      return Math.min(n, Math.floor(value!));
    case 'fixed-percent':
      return Math.floor((n * value!) / 100);
    case 'random-max-percent': {
      const max = Math.floor((n * value!) / 100);
      return max === 0 ? 0 : 1 + Math.floor(random() * max);
    }
  }
}

/** The most a mode can select (random-max-percent at its maximum): what the cap is checked against. */
const worstCount = (mode: PodKill['mode'], value: number | undefined, n: number) =>
  countFor(mode, value, n, () => 0.999999);

/** Waits for `p` at most `ms`, leaving no timer behind (a pending one would keep the process alive). */
function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]).then(() => clearTimeout(timer));
}

const live = (pods: k8s.V1Pod[]) =>
  pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');

/** Measures recovery after pods were deleted: the workload whole again, each replacement Ready. */
class Recovery {
  private readonly watches: { cancel(): void; done: Promise<number | undefined> }[] = [];
  private replacements?: ReturnType<typeof watchReplacements>;
  private last?: WorkloadState;
  recoveredAtMs?: number;
  constructor(
    private readonly t: KubeTarget,
    private readonly ctx: FaultContext,
  ) {}

  /** Restarts per pod when the fault was injected, and what they came to by the rollback. */
  private baseline = new Map<string, { name: string; restarts: number }>();
  private restarts?: { name: string; restarts: number }[];

  start(workload: Workload | undefined, selector: string, pods: k8s.V1Pod[], needReplacements: number): void {
    this.selector = selector;
    this.baseline = restartsOf(pods);
    const before = new Set(this.baseline.keys());
    const replacements = watchReplacements(this.t, selector, before, () => this.ctx.clock.now());
    this.replacements = replacements;
    if (!workload) return;
    // Whole again = the workload reports every replica Ready and updated, seen after each deleted
    // pod has a Ready replacement (right after a delete the status may still show the old count).
    const w = whenWorkloadReady(
      this.t,
      workload,
      this.ctx.recoveryTimeoutMs,
      () => this.ctx.clock.now(),
      (s) => (this.last = s),
      () => replacements.ready.size >= needReplacements,
    );
    this.watches.push(w);
    this.done = w.done.then((at) => {
      if (at !== undefined) this.recoveredAtMs = at;
    });
  }

  done: Promise<void> = Promise.resolve();
  private selector = '';

  /** Container restarts since injection, of the pods the selector matches now (a liveness probe that failed, a crash). */
  async countRestarts(): Promise<void> {
    const pods = await this.t.core.listNamespacedPod({ namespace: this.t.namespace, labelSelector: this.selector });
    this.restarts = [...restartsOf(pods.items)]
      .map(([uid, p]) => ({ name: p.name, restarts: p.restarts - (this.baseline.get(uid)?.restarts ?? 0) }))
      .filter((p) => p.restarts > 0);
  }

  settle(timeoutMs: number): Promise<void> {
    return within(this.done, timeoutMs);
  }

  stop(): void {
    for (const w of this.watches) w.cancel();
    this.replacements?.stop();
  }

  describe(workload: Workload | undefined, injectedAtMs: number): string {
    const reps = [...(this.replacements?.ready.values() ?? [])];
    const perPod = reps.length
      ? `; replacements Ready after ${reps.map((r) => `${formatMs(r.readyAtMs - injectedAtMs)} (${r.name}${r.runningAtMs !== undefined ? `: containers running after ${formatMs(r.runningAtMs - injectedAtMs)}, Ready ${formatMs(r.readyAtMs - r.runningAtMs)} later` : ''})`).join(', ')}`
      : '; no replacement became Ready';
    const n = this.restarts?.reduce((a, r) => a + r.restarts, 0);
    const restarts =
      n === undefined
        ? 'container restarts not counted (the pods could not be listed)'
        : `${n} container restart${n === 1 ? '' : 's'} during the experiment${n ? ` (${this.restarts!.map((r) => `${r.name}: ${r.restarts}`).join(', ')})` : ''}`;
    const state = this.last
      ? `${this.last.ready}/${this.last.desired} Ready, ${this.last.updated} updated`
      : 'no status seen';
    return this.recoveredAtMs !== undefined
      ? `${workload ? `${workload.kind} ${workload.name} whole again (${state}) after ${formatMs(this.recoveredAtMs - injectedAtMs)}` : `recovered after ${formatMs(this.recoveredAtMs - injectedAtMs)}`}${perPod}; ${restarts}`
      : `${workload ? `${workload.kind} ${workload.name}` : 'the pods'} not whole within ${formatMs(this.ctx.recoveryTimeoutMs)}: ${state}${perPod}`;
  }
}

export function podKillFault(spec: PodKill): Fault {
  let t: KubeTarget | undefined;
  let recovery: Recovery | undefined;
  let injectedAtMs: number | undefined;
  let workload: Workload | undefined;
  const list = async (tt: KubeTarget) =>
    live(
      (
        await call({ verb: 'list', resource: 'pods', namespace: tt.namespace }, () =>
          tt.core.listNamespacedPod({ namespace: tt.namespace, labelSelector: spec.selector }),
        )
      ).items,
    );
  const pick = async (tt: KubeTarget, ctx: FaultContext) => {
    const pods = await list(tt);
    if (!pods.length)
      throw cannotRun(`pod-kill: selector ${spec.selector} matches no running pod in namespace ${tt.namespace}`);
    const worst = worstCount(spec.mode, spec.value, pods.length);
    const cap = ctx.kube?.maxKillShare ?? 0.5;
    if (worst / pods.length > cap + 1e-9) {
      throw configError(
        `pod-kill: mode ${spec.mode}${spec.value !== undefined ? ` ${spec.value}` : ''} would kill ${worst} of ${pods.length} pods matching ${spec.selector} (${Math.round((worst / pods.length) * 100)}%), above the ${Math.round(cap * 100)}% cap: raise kubernetes.maxKillShare to allow it`,
      );
    }
    return pods;
  };
  return {
    label: `pod-kill (${spec.mode}${spec.value !== undefined ? ` ${spec.value}` : ''}, ${spec.selector}${spec.gracePeriod === 0 ? ', forced' : `, grace ${formatMs(spec.gracePeriod)}`})`,
    async preflight(ctx) {
      t = target(ctx, spec.namespace);
      const pods = await pick(t, ctx);
      const n = countFor(spec.mode, spec.value, pods.length);
      return `delete ${spec.mode === 'random-max-percent' ? `1–${worstCount(spec.mode, spec.value, pods.length)}` : n} of ${pods.length} pods matching ${spec.selector} in ${t.context}/${t.namespace}: ${pods.map((p) => p.metadata?.name).join(', ')} (chosen at random when injected)`;
    },
    async inject(ctx): Promise<FaultEvent[]> {
      t ??= target(ctx, spec.namespace);
      const tt = t;
      const pods = await pick(tt, ctx);
      const victims = [...pods].sort(() => Math.random() - 0.5).slice(0, countFor(spec.mode, spec.value, pods.length));
      workload = await ownerWorkload(tt, victims[0]!);
      recovery = new Recovery(tt, ctx);
      injectedAtMs = ctx.clock.now();
      recovery.start(workload, spec.selector, pods, victims.length);
      const deleted: string[] = [];
      try {
        for (const v of victims) {
          await call({ verb: 'delete', resource: 'pods', namespace: tt.namespace }, () =>
            tt.core.deleteNamespacedPod({
              name: v.metadata!.name!,
              namespace: tt.namespace,
              gracePeriodSeconds: Math.round(spec.gracePeriod / 1000),
            }),
          );
          deleted.push(v.metadata!.name!);
        }
      } catch (err) {
        // Nothing (more) was deleted: no recovery to wait for beyond what was.
        if (!deleted.length) {
          recovery.stop();
          recovery = undefined;
        }
        throw err;
      }
      return [
        {
          atMs: injectedAtMs,
          what: `deleted ${victims.map((v) => v.metadata?.name).join(', ')} (${victims.length} of ${pods.length}${workload ? `, ${workload.kind} ${workload.name}` : ''})`,
        },
      ];
    },
    settle: (ms) => recovery?.settle(ms) ?? Promise.resolve(),
    outcome(): FaultOutcome | undefined {
      if (!recovery || injectedAtMs === undefined) return undefined;
      return {
        ...(recovery.recoveredAtMs !== undefined ? { rtoMs: recovery.recoveredAtMs - injectedAtMs } : {}),
        recovery: `Kubernetes API: ${recovery.describe(workload, injectedAtMs)}`,
      };
    },
    async rollback(ctx) {
      if (!recovery) return ['nothing was deleted'];
      await recovery.settle(Math.min(ctx.recoveryTimeoutMs, 60_000));
      recovery.stop();
      await recovery.countRestarts().catch(() => undefined);
      // Deleted pods are the fault; the controller replaces them. Say whether it did.
      if (!workload || !t) return ['no owning workload to check'];
      const s = await workloadState(t, workload).catch(() => undefined);
      return [
        s
          ? `${workload.kind} ${workload.name}: ${s.ready}/${s.desired} Ready${s.done ? '' : ' — not whole yet'}`
          : `${workload.kind} ${workload.name}: state unknown`,
      ];
    },
  };
}

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export function rollingRestartFault(spec: RollingRestart): Fault {
  let t: KubeTarget | undefined;
  let recovery: Recovery | undefined;
  let injectedAtMs: number | undefined;
  const w = spec.workload;
  const read = async (tt: KubeTarget) =>
    w.kind === 'Deployment'
      ? await call({ verb: 'get', resource: 'deployments', namespace: tt.namespace }, () =>
          tt.apps.readNamespacedDeployment({ name: w.name, namespace: tt.namespace }),
        )
      : await call({ verb: 'get', resource: 'statefulsets', namespace: tt.namespace }, () =>
          tt.apps.readNamespacedStatefulSet({ name: w.name, namespace: tt.namespace }),
        );
  return {
    label: `rolling-restart (${w.kind} ${w.name})`,
    async preflight(ctx) {
      t = target(ctx, spec.namespace);
      const o = await read(t);
      const s = stateOf(o);
      return `restart every pod of ${w.kind} ${w.name} in ${t.context}/${t.namespace} (${s.ready}/${s.desired} Ready now), the way kubectl rollout restart does`;
    },
    async inject(ctx) {
      t ??= target(ctx, spec.namespace);
      const tt = t;
      const o = await read(tt);
      const selector = Object.entries(o.spec?.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const pods = live(
        (
          await call({ verb: 'list', resource: 'pods', namespace: tt.namespace }, () =>
            tt.core.listNamespacedPod({ namespace: tt.namespace, labelSelector: selector }),
          )
        ).items,
      );
      recovery = new Recovery(tt, ctx);
      injectedAtMs = ctx.clock.now();
      recovery.start(w, selector, pods, o.spec?.replicas ?? 1);
      const stamp = new Date().toISOString();
      const body = { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: stamp } } } } };
      const { setHeaderOptions, PatchStrategy } = await import('@kubernetes/client-node');
      const opts = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
      await call(
        { verb: 'patch', resource: w.kind === 'Deployment' ? 'deployments' : 'statefulsets', namespace: tt.namespace },
        () =>
          w.kind === 'Deployment'
            ? tt.apps.patchNamespacedDeployment({ name: w.name, namespace: tt.namespace, body }, opts)
            : tt.apps.patchNamespacedStatefulSet({ name: w.name, namespace: tt.namespace, body }, opts),
      ).catch((err: unknown) => {
        recovery?.stop();
        recovery = undefined;
        throw err;
      });
      return [
        {
          atMs: injectedAtMs,
          what: `${w.kind} ${w.name}: ${RESTARTED_AT}=${stamp} (a rollout of ${pods.length} pods)`,
        },
      ];
    },
    settle: (ms) => recovery?.settle(ms) ?? Promise.resolve(),
    outcome(): FaultOutcome | undefined {
      if (!recovery || injectedAtMs === undefined) return undefined;
      return {
        ...(recovery.recoveredAtMs !== undefined ? { rtoMs: recovery.recoveredAtMs - injectedAtMs } : {}),
        recovery: `Kubernetes API: rollout ${recovery.recoveredAtMs !== undefined ? 'complete' : 'not complete'} — ${recovery.describe(w, injectedAtMs)}`,
      };
    },
    async rollback(ctx) {
      if (!recovery || !t) return ['nothing was restarted'];
      await recovery.settle(Math.min(ctx.recoveryTimeoutMs, 60_000));
      recovery.stop();
      await recovery.countRestarts().catch(() => undefined);
      // The restartedAt annotation stays, as kubectl leaves it: removing it would roll the pods again.
      const s = stateOf(await read(t));
      return [
        `${w.kind} ${w.name}: ${s.ready}/${s.desired} Ready, ${s.updated} updated${s.done ? '' : ' — rollout not complete'}; the ${RESTARTED_AT} annotation stays (removing it would restart the pods again)`,
      ];
    },
  };
}

export function kubeDbFailoverFault(spec: KubeDbFailover): Fault {
  let t: KubeTarget | undefined;
  let injectedAtMs: number | undefined;
  let recoveredAtMs: number | undefined;
  let seen = '';
  let done: Promise<void> = Promise.resolve();
  let stopWatch: (() => void) | undefined;
  const selectors = () => {
    if (spec.selector) return [spec.selector];
    const cluster = spec.cluster
      ? spec.operator === 'cnpg'
        ? `,cnpg.io/cluster=${spec.cluster}`
        : `,cluster-name=${spec.cluster}`
      : '';
    return spec.operator === 'cnpg'
      ? [`cnpg.io/instanceRole=primary${cluster}`]
      : [`role=master${cluster}`, `role=primary${cluster}`];
  };
  const primary = async (tt: KubeTarget) => {
    for (const sel of selectors()) {
      const pods = live(
        (
          await call({ verb: 'list', resource: 'pods', namespace: tt.namespace }, () =>
            tt.core.listNamespacedPod({ namespace: tt.namespace, labelSelector: sel }),
          )
        ).items,
      );
      if (pods.length > 1)
        throw cannotRun(
          `kube-db-failover: ${pods.length} pods carry ${sel} in ${tt.namespace} (${pods.map((p) => p.metadata?.name).join(', ')}): narrow it with cluster`,
        );
      if (pods.length === 1) return { pod: pods[0]!, selector: sel };
    }
    throw cannotRun(`kube-db-failover: no pod carries ${selectors().join(' or ')} in namespace ${tt.namespace}`);
  };
  return {
    label: `kube-db-failover (${spec.operator})`,
    async preflight(ctx) {
      t = target(ctx, spec.namespace);
      const p = await primary(t);
      return `delete the primary pod ${p.pod.metadata?.name} (${p.selector}) in ${t.context}/${t.namespace}, forced`;
    },
    async inject(ctx) {
      t ??= target(ctx, spec.namespace);
      const tt = t;
      const { pod, selector } = await primary(tt);
      const old = pod.metadata?.uid ?? '';
      const replacements = watchReplacements(tt, selector, new Set([old]), () => ctx.clock.now());
      stopWatch = replacements.stop;
      injectedAtMs = ctx.clock.now();
      try {
        await call({ verb: 'delete', resource: 'pods', namespace: tt.namespace }, () =>
          tt.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: tt.namespace, gracePeriodSeconds: 0 }),
        );
      } catch (err) {
        replacements.stop();
        injectedAtMs = undefined;
        throw err;
      }
      const deadline = injectedAtMs + ctx.recoveryTimeoutMs;
      done = (async () => {
        while (ctx.clock.now() < deadline) {
          const first = [...replacements.ready.values()].sort((a, b) => a.readyAtMs - b.readyAtMs)[0];
          if (first) {
            recoveredAtMs = first.readyAtMs;
            seen = `${first.name} is the Ready primary (${selector}) after ${formatMs(first.readyAtMs - injectedAtMs!)}`;
            return;
          }
          await sleep(50);
        }
        seen = `no Ready pod carried ${selector} within ${formatMs(ctx.recoveryTimeoutMs)}`;
      })();
      return [{ atMs: injectedAtMs, what: `deleted the primary pod ${pod.metadata?.name} (forced)` }];
    },
    settle: (ms) => within(done, ms),
    outcome(): FaultOutcome | undefined {
      if (injectedAtMs === undefined) return undefined;
      return {
        ...(recoveredAtMs !== undefined ? { rtoMs: recoveredAtMs - injectedAtMs } : {}),
        recovery: `Kubernetes API: ${seen || 'still waiting'}`,
      };
    },
    async rollback() {
      stopWatch?.();
      return injectedAtMs === undefined
        ? ['nothing was deleted']
        : [seen ? `primary: ${seen}` : 'the primary had not come back when the experiment ended'];
    },
  };
}

// What the Kubernetes faults share: the allow-listed target, the Chaos Mesh pod-selection modes,
// and recovery measured through the API with watches — the workload whole again (all replicas
// Ready and updated), each replacement's time to Ready, restarts seen. Guardrails: the context
// and namespace must be allow-listed, and no injection may take more than maxKillShare of a
// workload at once — both checked before anything changes.
import type * as k8s from '@kubernetes/client-node';
import type { FaultSpec } from '../../../config/experiment.ts';
import { configError } from '../../../core/errors.ts';
import { formatMs } from '../../../core/duration.ts';
import {
  kubeTarget,
  restartsOf,
  watchReplacements,
  whenWorkloadReady,
  type KubeTarget,
  type WorkloadState,
} from '../../../targets/kube.ts';
import type { FaultContext } from '../fault.ts';

export type PodKill = Extract<FaultSpec, { kind: 'pod-kill' }>;
export type RollingRestart = Extract<FaultSpec, { kind: 'rolling-restart' }>;
export type KubeDbFailover = Extract<FaultSpec, { kind: 'kube-db-failover' }>;
export type Workload = { kind: 'Deployment' | 'StatefulSet'; name: string };

export function target(ctx: FaultContext, namespace: string | undefined): KubeTarget {
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
export const worstCount = (mode: PodKill['mode'], value: number | undefined, n: number) =>
  countFor(mode, value, n, () => 0.999999);

/** Waits for `p` at most `ms`, leaving no timer behind (a pending one would keep the process alive). */
export function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]).then(() => clearTimeout(timer));
}

export const live = (pods: k8s.V1Pod[]) =>
  pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');

/** Measures recovery after pods were deleted: the workload whole again, each replacement Ready. */
export class Recovery {
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

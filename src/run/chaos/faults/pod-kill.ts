// pod-kill: Chaos Mesh's modes (one, all, fixed, fixed-percent, random-max-percent) on a
// workload's pods through the API, capped at maxKillShare, its recovery measured with watches
// (kube-shared.ts).
import { cannotRun, configError } from '../../../core/errors.ts';
import { formatMs } from '../../../core/duration.ts';
import { call, ownerWorkload, workloadState, type KubeTarget } from '../../../targets/kube.ts';
import type { Fault, FaultContext, FaultEvent, FaultOutcome } from '../fault.ts';
import { Recovery, countFor, live, target, worstCount, type PodKill, type Workload } from './kube-shared.ts';

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

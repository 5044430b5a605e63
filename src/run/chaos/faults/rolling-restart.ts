// rolling-restart: what `kubectl rollout restart` does (the restartedAt annotation), its rollout
// followed through the API until the workload is whole again.
import { call, stateOf, type KubeTarget } from '../../../targets/kube.ts';
import type { Fault, FaultOutcome } from '../fault.ts';
import { Recovery, live, target, type RollingRestart } from './kube-shared.ts';

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

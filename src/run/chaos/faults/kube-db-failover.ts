// kube-db-failover: the primary's pod deleted (CloudNativePG or Patroni-on-Kubernetes labels), the
// new primary Ready through the API and writes acknowledged again through the service.
import { cannotRun } from '../../../core/errors.ts';
import { formatMs } from '../../../core/duration.ts';
import { call, watchReplacements, type KubeTarget } from '../../../targets/kube.ts';
import type { Fault, FaultOutcome } from '../fault.ts';
import { sleep } from '../../../core/sleep.ts';
import { live, target, within, type KubeDbFailover } from './kube-shared.ts';

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

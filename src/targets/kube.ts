// Kubernetes through @kubernetes/client-node: the kubeconfig and context the environment names,
// the config's allow-list checked before any call that changes anything, API errors turned into
// one clear line (a 403 names the verb and resource it needs).
import * as k8s from '@kubernetes/client-node';
import { cannotRun, configError } from '../core/errors.ts';
import { notAllowListed } from '../config/schema.ts';

export interface KubeTarget {
  kc: k8s.KubeConfig;
  context: string;
  namespace: string;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  custom: k8s.CustomObjectsApi;
}

export interface KubeGuardrails {
  allow: { context: string; namespaces: string[] }[];
  maxKillShare: number;
}

/** The client for an environment's context; an unknown context or one not allow-listed is refused (exit 2). */
export function kubeTarget(
  env: { context: string; namespace: string; kubeconfig?: string | undefined },
  guard: KubeGuardrails,
  namespace = env.namespace,
): KubeTarget {
  const refused = notAllowListed(guard.allow, env.context, namespace);
  if (refused) throw configError(refused);
  const kc = new k8s.KubeConfig();
  try {
    if (env.kubeconfig) kc.loadFromFile(env.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw configError(
      `cannot read the kubeconfig${env.kubeconfig ? ` ${env.kubeconfig}` : ''}: ${(err as Error).message}`,
    );
  }
  if (!kc.getContextObject(env.context))
    throw configError(
      `context "${env.context}" is not in the kubeconfig (contexts: ${
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'none'
      })`,
    );
  kc.setCurrentContext(env.context);
  return {
    kc,
    context: env.context,
    namespace,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
  };
}

/** One line for an API failure: 403 names what is needed, an unreachable server says so. */
export function kubeError(err: unknown, doing: { verb: string; resource: string; namespace: string }): Error {
  if (err instanceof k8s.ApiException) {
    const code = err.code;
    let message = '';
    try {
      message = (JSON.parse(String(err.body)) as { message?: string }).message ?? '';
    } catch {
      message = String(err.body ?? '').slice(0, 200);
    }
    if (code === 403)
      return cannotRun(
        `forbidden: Gauntlet needs "${doing.verb}" on ${doing.resource} in namespace ${doing.namespace} (RBAC): ${message}`,
      );
    if (code === 404) return cannotRun(`not found: ${doing.resource} in namespace ${doing.namespace}: ${message}`);
    return cannotRun(`the Kubernetes API refused to ${doing.verb} ${doing.resource} (${code}): ${message}`);
  }
  const e = err as Error & { cause?: Error; code?: string };
  const why = e.cause?.message ?? e.message;
  return cannotRun(`the Kubernetes API is unreachable (${doing.verb} ${doing.resource}): ${why}`);
}

export async function call<T>(
  doing: { verb: string; resource: string; namespace: string },
  f: () => Promise<T>,
): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw kubeError(err, doing);
  }
}

export const isReady = (p: k8s.V1Pod) =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true &&
  !p.metadata?.deletionTimestamp;

/** The workload that owns a pod: ReplicaSet → Deployment, or a StatefulSet. */
export async function ownerWorkload(
  t: KubeTarget,
  pod: k8s.V1Pod,
): Promise<{ kind: 'Deployment' | 'StatefulSet'; name: string } | undefined> {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
  if (!owner) return undefined;
  if (owner.kind === 'StatefulSet') return { kind: 'StatefulSet', name: owner.name };
  if (owner.kind === 'ReplicaSet') {
    const rs = await call({ verb: 'get', resource: 'replicasets', namespace: t.namespace }, () =>
      t.apps.readNamespacedReplicaSet({ name: owner.name, namespace: t.namespace }),
    );
    const d = rs.metadata?.ownerReferences?.find((o) => o.controller && o.kind === 'Deployment');
    if (d) return { kind: 'Deployment', name: d.name };
  }
  return undefined;
}

export interface WorkloadState {
  desired: number;
  ready: number;
  updated: number;
  done: boolean;
}

export async function workloadState(
  t: KubeTarget,
  w: { kind: 'Deployment' | 'StatefulSet'; name: string },
): Promise<WorkloadState> {
  const o =
    w.kind === 'Deployment'
      ? await call({ verb: 'get', resource: 'deployments', namespace: t.namespace }, () =>
          t.apps.readNamespacedDeployment({ name: w.name, namespace: t.namespace }),
        )
      : await call({ verb: 'get', resource: 'statefulsets', namespace: t.namespace }, () =>
          t.apps.readNamespacedStatefulSet({ name: w.name, namespace: t.namespace }),
        );
  return stateOf(o);
}

export function stateOf(o: k8s.V1Deployment | k8s.V1StatefulSet): WorkloadState {
  const desired = o.spec?.replicas ?? 1;
  const s = o.status;
  const ready = s?.readyReplicas ?? 0;
  const updated = s?.updatedReplicas ?? 0;
  const observed = (s?.observedGeneration ?? 0) >= (o.metadata?.generation ?? 0);
  const total = s?.replicas ?? 0;
  return { desired, ready, updated, done: observed && ready === desired && updated === desired && total === desired };
}

/**
 * Waits, with a watch (not a sleep loop), until the workload has all its replicas Ready and
 * updated (and `alsoRequired` holds). Resolves with the time it was seen so, or undefined at the timeout.
 */
export function whenWorkloadReady(
  t: KubeTarget,
  w: { kind: 'Deployment' | 'StatefulSet'; name: string },
  timeoutMs: number,
  now: () => number,
  onState?: (s: WorkloadState) => void,
  alsoRequired: () => boolean = () => true,
): { done: Promise<number | undefined>; cancel(): void } {
  const path = `/apis/apps/v1/namespaces/${t.namespace}/${w.kind === 'Deployment' ? 'deployments' : 'statefulsets'}`;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let settle: (v: number | undefined) => void = () => {};
  const done = new Promise<number | undefined>((res) => (settle = res));
  let finished = false;
  const finish = (v: number | undefined) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    controller?.abort();
    settle(v);
  };
  const start = () => {
    if (finished) return;
    new k8s.Watch(t.kc)
      .watch(
        path,
        { fieldSelector: `metadata.name=${w.name}` },
        (_type, obj: k8s.V1Deployment) => {
          const s = stateOf(obj);
          onState?.(s);
          // Right after a delete the status may still show the old, full count: the caller's
          // condition (e.g. every deleted pod has a Ready replacement) must hold too.
          if (s.done && alsoRequired()) finish(now());
        },
        () => {
          // A watch ends (timeouts, compaction): start another until done.
          if (!finished) setTimeout(start, 200);
        },
      )
      .then(
        (c) => {
          controller = c;
          if (finished) c.abort();
        },
        () => !finished && setTimeout(start, 500),
      );
  };
  timer = setTimeout(() => finish(undefined), timeoutMs);
  start();
  return { done, cancel: () => finish(undefined) };
}

/** A pod that replaced a deleted one: when its containers were first seen running, and when it turned Ready. */
export interface Replacement {
  name: string;
  /** First watch event with every container running (the container runtime started them). */
  runningAtMs: number | undefined;
  readyAtMs: number;
}

const allRunning = (p: k8s.V1Pod) => {
  const cs = p.status?.containerStatuses ?? [];
  return cs.length > 0 && cs.every((c) => c.state?.running);
};

/** Watches pods by selector: when each pod not in `before` first has its containers running, and first turns Ready. */
export function watchReplacements(
  t: KubeTarget,
  selector: string,
  before: Set<string>,
  now: () => number,
): { ready: Map<string, Replacement>; stop(): void } {
  const ready = new Map<string, Replacement>();
  const running = new Map<string, number>();
  let controller: AbortController | undefined;
  let stopped = false;
  const start = () => {
    if (stopped) return;
    new k8s.Watch(t.kc)
      .watch(
        `/api/v1/namespaces/${t.namespace}/pods`,
        { labelSelector: selector },
        (_type, p: k8s.V1Pod) => {
          const uid = p.metadata?.uid ?? '';
          if (before.has(uid) || ready.has(uid)) return;
          const at = now();
          if (!running.has(uid) && allRunning(p)) running.set(uid, at);
          if (!isReady(p)) return;
          ready.set(uid, { name: p.metadata?.name ?? '', runningAtMs: running.get(uid), readyAtMs: at });
        },
        () => !stopped && setTimeout(start, 200),
      )
      .then(
        (c) => {
          controller = c;
          if (stopped) c.abort();
        },
        () => !stopped && setTimeout(start, 500),
      );
  };
  start();
  return {
    ready,
    stop: () => {
      stopped = true;
      controller?.abort();
    },
  };
}

/** Container restarts per pod (by uid), as the kubelet counts them. */
export const restartsOf = (pods: k8s.V1Pod[]): Map<string, { name: string; restarts: number }> =>
  new Map(
    pods.map((p) => [
      p.metadata?.uid ?? '',
      {
        name: p.metadata?.name ?? '',
        restarts: (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
      },
    ]),
  );

// Distributed load on Kubernetes (--engine kubernetes): the embedded engine's workers placed in
// the pods of an Indexed Job of the Gauntlet image, one shard per index. Each shard carries 1/N
// of the schedule (arrivals interleaved, VUs split with remainders — the same split the engine's
// threads use), and every shard's worker messages come back as lines of its pod's log, followed
// live; the engine merges them exactly as it merges threads (HDR histograms add).
//
// Start: the coordinator picks one instant (now + startDelay) and gives it to every shard; each
// shard starts at that instant by its own clock. That assumes the nodes' clocks agree (NTP keeps
// them within milliseconds); a shard ready only after the instant starts at once, and its lateness
// is reported (startSkewMs). Stop: deleting the Job (abortOnFail, an interrupt) sends SIGTERM,
// and each shard still reports what it did. A pod that dies is a lost shard, reported with what
// it had sent. The Job and Secret are removed afterwards unless --keep.
import * as k8s from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { formatMs } from '../../core/duration.ts';
import { call, type KubeTarget } from '../../targets/kube.ts';
import type { Placement, Shard } from './embedded.ts';
import { SHARD_LINE, toWire, type ShardLine } from './protocol.ts';
import { sleep } from '../../core/sleep.ts';
import { portableTls } from '../../targets/tls.ts';

export interface KubeShardOptions {
  kube: KubeTarget;
  parallelism: number;
  /** Job and Secret name. */
  name: string;
  image: string;
  /** Pods on the node's network (reach a target on the node's loopback); default false. */
  hostNetwork: boolean;
  /** From the Job's creation to the common start instant: time for pods to be scheduled and start. */
  startDelayMs: number;
  keep: boolean;
  say(line: string): void;
}

const INDEX = 'batch.kubernetes.io/job-completion-index';

export function kubernetesPlacement(o: KubeShardOptions): Placement {
  const t = o.kube;
  const ns = t.namespace;
  const batch = t.kc.makeApiClient(k8s.BatchV1Api);
  let jobDeleted: Promise<void> | undefined;
  const deleteJob = () =>
    (jobDeleted ??= batch.deleteNamespacedJob({ name: o.name, namespace: ns, propagationPolicy: 'Background' }).then(
      () => undefined,
      () => undefined,
    ));
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      if (o.keep) {
        o.say(`  kubernetes: left Job and Secret ${o.name} in ${t.context}/${ns} (--keep)`);
        return;
      }
      await deleteJob();
      await t.core.deleteNamespacedSecret({ name: o.name, namespace: ns }).catch(() => undefined);
      // Nothing left: wait (bounded) for the shard pods to go.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const pods = await t.core
          .listNamespacedPod({ namespace: ns, labelSelector: `batch.kubernetes.io/job-name=${o.name}` })
          .catch(() => undefined);
        if (pods && pods.items.length === 0) break;
        await sleep(250);
      }
      o.say(`  kubernetes: removed Job and Secret ${o.name}`);
    })());

  return {
    engine: 'kubernetes',
    count: o.parallelism,
    async launch(inits, ctx, onMessage) {
      const n = inits.length;
      const startAt = Date.now() + o.startDelayMs;
      await call({ verb: 'create', resource: 'secrets', namespace: ns }, () =>
        t.core.createNamespacedSecret({
          namespace: ns,
          body: {
            metadata: { name: o.name, labels: { 'app.kubernetes.io/managed-by': 'gauntlet' } },
            // The requests carry their headers (tokens): a Secret, not the pod spec.
            // The trust travels as its extra CAs only: each pod adds its own system roots (app/shard.ts).
            stringData: {
              inits: JSON.stringify(inits.map((i) => toWire(i.tls ? { ...i, tls: portableTls(i.tls) } : i))),
            },
          },
        }),
      );
      try {
        await call({ verb: 'create', resource: 'jobs', namespace: ns }, () =>
          batch.createNamespacedJob({
            namespace: ns,
            body: {
              metadata: { name: o.name, labels: { 'app.kubernetes.io/managed-by': 'gauntlet' } },
              spec: {
                completionMode: 'Indexed',
                completions: n,
                parallelism: n,
                backoffLimit: 0,
                template: {
                  metadata: { labels: { 'app.kubernetes.io/managed-by': 'gauntlet' } },
                  spec: {
                    restartPolicy: 'Never',
                    ...(o.hostNetwork ? { hostNetwork: true } : {}),
                    terminationGracePeriodSeconds: Math.ceil((inits[0]?.gracefulStopMs ?? 0) / 1000) + 15,
                    containers: [
                      {
                        name: 'shard',
                        image: o.image,
                        imagePullPolicy: 'IfNotPresent',
                        args: ['shard'],
                        env: [
                          { name: 'GAUNTLET_SHARD_START_AT', value: String(startAt) },
                          {
                            name: 'GAUNTLET_SHARD_INITS',
                            valueFrom: { secretKeyRef: { name: o.name, key: 'inits' } },
                          },
                        ],
                      },
                    ],
                  },
                },
              },
            },
          }),
        );
      } catch (err) {
        await close();
        throw err;
      }
      o.say(
        `  kubernetes: Job ${o.name} created in ${t.context}/${ns}: ${n} shard${n === 1 ? '' : 's'} of ${o.image}, starting together in ${formatMs(o.startDelayMs)}`,
      );

      const shards: (Shard & { resolve(why: string | undefined): void; followed: boolean })[] = inits.map(() => {
        let resolve!: (why: string | undefined) => void;
        const ended = new Promise<string | undefined>((r) => (resolve = r));
        let settled = false;
        return {
          ended,
          resolve: (why) => {
            if (settled) return;
            settled = true;
            resolve(why);
          },
          followed: false,
          stop: () => void deleteJob(),
          close,
        };
      });

      const follow = (index: number, pod: string) => {
        const sh = shards[index]!;
        sh.followed = true;
        sh.where = pod;
        let buf = '';
        let done = false;
        const sink = new Writable({
          write(chunk: Buffer, _enc, cb) {
            buf += chunk.toString();
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (!line.startsWith(SHARD_LINE)) continue;
              let m: ShardLine;
              try {
                m = JSON.parse(line.slice(SHARD_LINE.length)) as ShardLine;
              } catch {
                continue;
              }
              if (m.type === 'shard-ready') sh.startSkewMs = Math.max(0, m.at - startAt);
              else {
                onMessage(index, m);
                if (m.type === 'done') {
                  done = true;
                  sh.resolve(undefined);
                }
              }
            }
            cb();
          },
        });
        sink.on('finish', () => {
          if (done) return;
          // The log ended without the shard's report: say how its pod ended (the kubelet reports
          // the container's end a moment after its log closes: wait for it, bounded).
          void (async () => {
            const until = Date.now() + 15_000;
            for (;;) {
              const p = await t.core.readNamespacedPodStatus({ name: pod, namespace: ns }).catch(() => undefined);
              if (!p) return `its pod ${pod} is gone, and it never reported its end`;
              const term = p.status?.containerStatuses?.[0]?.state?.terminated;
              if (term)
                return `its pod ${pod} ended before its report: exit code ${term.exitCode}${term.reason ? ` (${term.reason})` : ''}`;
              if (Date.now() > until)
                return `the log of ${pod} ended before its report (pod ${p.status?.phase ?? 'unknown'})`;
              await sleep(250);
            }
          })().then((why) => sh.resolve(why));
        });
        new k8s.Log(t.kc)
          .log(ns, pod, 'shard', sink, { follow: true })
          .catch((err: unknown) => sh.resolve(`its log could not be read: ${(err as Error).message}`));
      };

      // Find each shard's pod as it starts, and follow its log; a shard whose pod has not run
      // well after the start instant is lost.
      const giveUpAt = startAt + 120_000;
      void (async () => {
        while (shards.some((s) => !s.followed)) {
          const pods = await t.core
            .listNamespacedPod({ namespace: ns, labelSelector: `batch.kubernetes.io/job-name=${o.name}` })
            .catch(() => undefined);
          for (const p of pods?.items ?? []) {
            const i = Number(p.metadata?.labels?.[INDEX] ?? p.metadata?.annotations?.[INDEX]);
            const phase = p.status?.phase;
            if (Number.isInteger(i) && shards[i] && !shards[i].followed && phase && phase !== 'Pending')
              follow(i, p.metadata!.name!);
          }
          if (Date.now() > giveUpAt || ctx.signal.aborted) {
            const waiting = (pods?.items ?? []).filter((p) => p.status?.phase === 'Pending');
            const why = waiting
              .map((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? p.status?.conditions?.[0]?.reason)
              .find(Boolean);
            shards.forEach((s, i) => {
              if (s.followed) return;
              s.followed = true;
              s.resolve(
                ctx.signal.aborted
                  ? 'interrupted before its pod started'
                  : `its pod did not start within ${formatMs(giveUpAt - startAt)} of the start instant${why ? ` (${why})` : ''} (shard ${i})`,
              );
            });
            break;
          }
          await sleep(300);
        }
      })();
      return { shards, startAt };
    },
  };
}

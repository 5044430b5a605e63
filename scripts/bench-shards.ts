// Distributed load on the real test node (`npm run bench:shards`): the same closed-model load on
// nginx from one process (embedded, 1 worker) and from 1, 2 and 4 shard pods (--engine
// kubernetes), 3 interleaved rounds; prints req/s, each shard's start lateness, and how long the
// pods took from the Job's creation to ready. The machine has 2 cores: nginx, the coordinator and
// every shard share them.
import { startKubePlane } from '../test/fixtures/kube.ts';
import { IMAGES } from '../test/fixtures/kube-node.ts';
import { startNginx } from '../test/fixtures/nginx.ts';
import { gauntletLoad } from './bench-project.ts';
import { sleep } from '../src/core/sleep.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const plane = await startKubePlane({ node: 'kubelet', images: ['gauntlet'] });
const ng = await startNginx();
try {
  await plane.request('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
  await sleep(2000); // the default service account
  const env = `, kubernetes: { context: ${plane.context}, namespace: bench, kubeconfig: "${plane.kubeconfig}", shards: { image: ${IMAGES.gauntlet}, hostNetwork: true, startDelay: 30s } }`;
  const config = `kubernetes:\n  allow: [{ context: ${plane.context}, namespaces: [bench] }]\n`;
  const profile = (workers: number) =>
    `name: bench\nworkers: ${workers}\nscenario: { executor: constant-vus, vus: 48, duration: 5s }\nrequests: [{ name: home, path: / }]\n`;
  const rows: Record<string, number[]> = {};
  const skews: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, workers, args] of [
      ['embedded, 1 worker', 1, []],
      ['kubernetes, 1 shard', 1, ['--engine', 'kubernetes']],
      ['kubernetes, 2 shards', 2, ['--engine', 'kubernetes']],
      ['kubernetes, 4 shards', 4, ['--engine', 'kubernetes']],
    ] as const) {
      const { record } = await gauntletLoad(ng.url, profile(workers), env, { args: [...args], config });
      const l = record.load!;
      const rps = l.totals.requests / (l.durationMs / 1000);
      (rows[label] ??= []).push(rps);
      for (const s of l.shards ?? []) skews.push(s.startSkewMs ?? NaN);
      console.log(
        `round ${round + 1} ${label}: ${Math.round(rps)} req/s${l.shards ? `, start late by ${l.shards.map((s) => s.startSkewMs).join('/')} ms` : ''}`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log('\nmedians of', ROUNDS, 'rounds:');
  for (const [label, xs] of Object.entries(rows)) console.log(`  ${label}: ${Math.round(median(xs))} req/s`);
  console.log(`  shard start lateness: max ${Math.max(...skews)} ms over ${skews.length} shards (startDelay 30 s)`);
} finally {
  await ng.stop();
  await plane.stop();
}

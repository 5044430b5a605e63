// `gauntlet shard`: what runs in each pod of a distributed load (--engine kubernetes). It takes
// its share of the load from GAUNTLET_SHARD_INITS (every shard's init, JSON, from a Secret) at
// index JOB_COMPLETION_INDEX (set by the Indexed Job), starts at GAUNTLET_SHARD_START_AT (epoch
// ms, the same instant for every shard), and writes each of its worker's messages as one log
// line. SIGTERM (the Job deleted: abortOnFail, an interrupt) stops it as a worker is stopped: it
// still reports what it did.
import { Worker } from 'node:worker_threads';
import { WORKER_ENTRY } from '../run/load/embedded.ts';
import {
  SHARD_LINE,
  fromWire,
  type FromWorker,
  type ShardLine,
  type ToWorker,
  type WireInit,
} from '../run/load/protocol.ts';
import { localTrust } from '../targets/tls.ts';

export function shardMain(env: NodeJS.ProcessEnv, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const index = Number(env.JOB_COMPLETION_INDEX ?? env.GAUNTLET_SHARD_INDEX);
  const startAt = Number(env.GAUNTLET_SHARD_START_AT);
  let inits: WireInit[];
  try {
    inits = JSON.parse(env.GAUNTLET_SHARD_INITS ?? '') as WireInit[];
  } catch {
    process.stderr.write('gauntlet shard: GAUNTLET_SHARD_INITS is missing or not JSON\n');
    return Promise.resolve(2);
  }
  const init = inits[index];
  if (!init || !Number.isFinite(startAt)) {
    process.stderr.write(`gauntlet shard: no init for index ${index} of ${inits.length}, or no start instant\n`);
    return Promise.resolve(2);
  }
  const write = (line: ShardLine) => out.write(`${SHARD_LINE}${JSON.stringify(line)}\n`);
  // The same trust as the coordinator's: this machine's roots plus the extra CAs it was sent.
  const local = fromWire(init);
  const w = new Worker(WORKER_ENTRY, { workerData: local.tls ? { ...local, tls: localTrust(local.tls) } : local });
  const stop = () => w.postMessage({ type: 'stop' } satisfies ToWorker);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return new Promise((resolve) => {
    let done = false;
    w.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        write({ type: 'shard-ready', at: Date.now() });
        w.postMessage({ type: 'start', startAt } satisfies ToWorker);
        return;
      }
      write(m);
      if (m.type === 'done') {
        done = true;
        out.write('', () => void w.terminate().then(() => resolve(0)));
      }
    });
    w.on('error', (err) => {
      process.stderr.write(`gauntlet shard: ${err.message}\n`);
      resolve(1);
    });
    w.on('exit', () => !done && resolve(1));
  });
}

// The native load core (native/loadcore, Rust): a load worker as a process — one thread, one
// epoll loop — for HTTP/1.1 profiles, over TCP or TLS (rustls), where a JavaScript worker spends most of its time in
// Node's socket write path (BENCHMARKS.md). It speaks the worker's own messages as JSON lines
// (the init on stdin, then start and stop; ready, second and done on stdout), so the engine
// merges its histograms and tallies exactly as a thread's; it also speaks PostgreSQL and Redis to
// one database URL (config/core.ts dataRefusal). What it does not do — a mix of servers, think
// time — runs on the JavaScript worker, as does everything when the core
// was not built (no Rust toolchain) or GAUNTLET_CORE=js.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { maxVUsOf, modelOf, scenarioDurationMs } from '../../config/profile.ts';
import { shareOf } from './schedule.ts';
import {
  coreSetting,
  dataRefusal,
  nativeCorePath,
  nativeRefusal,
  type Core,
  type CoreNeeds,
} from '../../config/core.ts';
import { toWire, type FromWorker, type ToWorker, type WorkerInit } from './protocol.ts';

const needsOf = (init: WorkerInit): CoreNeeds => ({
  dataProblem: dataRefusal(
    init.requests.map((r) => (r.data ? { kind: r.data.kind, url: r.data.url } : { kind: 'http' })),
  ),
  thinkTime: init.thinkTimeMs !== undefined,
});

/**
 * Which core runs these workers: GAUNTLET_CORE=js or native forces one (native refused with why,
 * when it cannot run them), auto (the default) picks native wherever it can.
 */
export function chooseCore(inits: readonly WorkerInit[], env = process.env.GAUNTLET_CORE): Core {
  const setting = coreSetting(env);
  if ('problem' in setting) throw new Error(setting.problem);
  if (setting.want === 'js') return 'js';
  const why = inits.map((i) => nativeRefusal(needsOf(i))).find((w) => w !== undefined);
  if (why && setting.want === 'native') throw new Error(`GAUNTLET_CORE=native: ${why}`);
  return why ? 'js' : 'native';
}

/** What the core needs beyond the worker's init: the same numbers a worker derives in JavaScript. */
function nativeInit(init: WorkerInit) {
  const open = modelOf(init.scenario) === 'open';
  const maxConns = open ? Math.max(1, shareOf(maxVUsOf(init.scenario), init.index, init.workers)) : 0;
  const pre = 'preAllocatedVUs' in init.scenario ? shareOf(init.scenario.preAllocatedVUs, init.index, init.workers) : 0;
  return { ...toWire(init), native: { durationMs: scenarioDurationMs(init.scenario), maxConns, preAllocated: pre } };
}

export interface NativeWorker {
  ready: Promise<void>;
  /** Resolves once it reported `done`; rejects when it ended without reporting. */
  ended: Promise<undefined>;
  post(m: ToWorker): void;
  kill(): void;
}

/** Starts one native worker; its messages go to onMessage, as a worker thread's would. */
export function startNative(init: WorkerInit, onMessage: (m: FromWorker) => void): NativeWorker {
  const child = spawn(nativeCorePath()!, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => void (stderr = (stderr + d).slice(-2000)));
  child.stdin.on('error', () => {}); // a core that exited: its end is reported below
  child.stdin.write(`${JSON.stringify(nativeInit(init))}\n`);
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  let finished = false;
  const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
  lines.on('line', (line) => {
    const m = JSON.parse(line) as FromWorker;
    if (m.type === 'ready') markReady();
    if (m.type === 'done') finished = true;
    onMessage(m);
  });
  const ended = new Promise<undefined>((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': every line of its stdout has been read by then.
    child.on('close', (code, signal) =>
      finished
        ? resolve(undefined)
        : reject(
            new Error(
              `load worker ${init.index} (native core) stopped before reporting (${signal ?? `exit code ${code}`})` +
                (stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''),
            ),
          ),
    );
  });
  return {
    ready,
    ended,
    post: (m) => {
      if (child.stdin.writable) child.stdin.write(`${JSON.stringify(m)}\n`);
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

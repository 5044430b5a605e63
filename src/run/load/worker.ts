// One load-generating thread: runs its share of the VUs (closed model) or of the arrivals
// (open model), times every request, and reports per-second tallies and HDR histograms to the
// engine. Nothing here prints. The request loop is the hot path: no per-request timers, no
// allocation per request beyond what the socket needs.
import { parentPort, workerData } from 'node:worker_threads';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Http1Connection, connectOptions, redirectRequest, type NetError, type Origin, type Outcome } from './http1.ts';
import { DataLinks, type DataOutcome, type DataRequest } from './data.ts';
import { newHistogram, encode, type Histogram } from '../../measure/histogram.ts';
import { ArrivalSchedule, shareOf, vusAt } from './schedule.ts';
import {
  emptyTally,
  errorClassOf,
  type DoneMsg,
  type FromWorker,
  type SecondMsg,
  type Tally,
  type ToWorker,
  type WorkerInit,
  type WorkerRequest,
} from './protocol.ts';
import { maxVUsOf, modelOf, scenarioDurationMs } from '../../config/profile.ts';

interface Req extends WorkerRequest {
  buf: Buffer;
}

/**
 * A VU's connections: its HTTP connection, and its database links once it sends a SQL statement
 * or a Redis command. One request in flight at a time, on whichever it was sent.
 */
class Vu {
  readonly http = new Http1Connection(init.host, init.port, init.tls);
  #data: DataLinks | undefined;
  #on: Http1Connection | DataLinks = this.http;
  /** performance.now() past which the request in flight has timed out (its whole redirect chain). */
  deadline = Infinity;
  // The HTTP request in flight's redirect chain: the hop on the wire, hops followed, and what the
  // hops before it took in, sent and waited for a connection.
  #callback: ((o: DataOutcome) => void) | undefined;
  #hop: Buffer = Buffer.alloc(0);
  #hops = 0;
  #chainIn = 0;
  #chainOut = 0;
  #chainConnectMs: number | undefined;
  readonly #onAnswer = (o: Outcome) => this.#answer(o);

  get busy(): boolean {
    return this.#on.busy;
  }

  send(req: Req, callback: (o: DataOutcome) => void): void {
    this.deadline = performance.now() + (req.timeoutMs ?? init.timeoutMs);
    if (req.data) {
      this.#on = this.#data ??= new DataLinks();
      this.#data.send(req.data, callback);
    } else if (init.maxRedirects > 0) {
      this.#on = this.http;
      this.#callback = callback;
      this.#hop = req.buf;
      this.#hops = 0;
      this.http.send(req.buf, req.expectBody, this.#onAnswer);
    } else {
      this.#on = this.http;
      this.http.send(req.buf, req.expectBody, callback);
    }
  }

  /**
   * An answer: a redirect is followed (on this VU's connection, within the first request's
   * timeout) and the final answer judged, as k6 judges it; the chain is one request, timed from
   * its first send to its final answer. A redirect past maxRedirects, elsewhere than the target,
   * or to a Location that is no URL fails as `http_other` with its 3xx status and why.
   */
  #answer(answer: Outcome): void {
    let o: DataOutcome = answer;
    if (o.location !== undefined && o.error === undefined) {
      const next =
        this.#hops >= init.maxRedirects
          ? { refused: `more than ${init.maxRedirects} redirects (maxRedirects)` }
          : redirectRequest(this.#hop, o.status, o.location, origin);
      if ('bytes' in next) {
        if (this.#hops === 0) {
          this.#chainIn = 0;
          this.#chainOut = 0;
          this.#chainConnectMs = o.connectMs;
        }
        this.#hops++;
        this.#chainIn += o.bytesIn;
        this.#chainOut += next.bytes.length;
        this.#hop = next.bytes;
        this.http.send(next.bytes, next.expectBody, this.#onAnswer);
        return;
      }
      o = { ...o, cls: 'http_other', reason: next.refused };
    }
    if (this.#hops > 0) {
      const { connectMs: _, ...rest } = o;
      o = {
        ...rest,
        bytesIn: o.bytesIn + this.#chainIn,
        redirectBytesOut: this.#chainOut,
        ...(this.#chainConnectMs !== undefined ? { connectMs: this.#chainConnectMs } : {}),
      };
    }
    const cb = this.#callback;
    this.#callback = undefined;
    cb?.(o);
  }

  abort(error: NetError, reason?: string): void {
    this.#on.abort(error, reason);
  }

  /** Opens its database links before the clock starts. */
  preconnectData(rs: readonly DataRequest[], timeoutMs: number): Promise<void> {
    return (this.#data ??= new DataLinks()).preconnect(rs, timeoutMs);
  }

  close(): void {
    this.http.close();
    this.#data?.close();
  }
}

interface NameBucket {
  tally: Tally;
  hist: Histogram;
}

interface Bucket {
  byName: Map<string, NameBucket>;
  iterations: number;
  dropped: number;
}

const init = workerData as WorkerInit;
const origin: Origin = { https: init.tls !== undefined, host: init.host, port: init.port };
const port = parentPort!;
let startMono = Infinity;
const elapsed = () => performance.now() - startMono;
const requests: Req[] = init.requests.map((r) => ({ ...r, buf: Buffer.from(r.bytes) }));
const cumulative: number[] = [];
for (const r of requests) cumulative.push((cumulative.at(-1) ?? 0) + r.weight);
const totalWeight = cumulative[cumulative.length - 1]!;
const iterationHist = newHistogram();
/** Open model: each arrival's lag behind its intended time, sent or dropped (µs) — the generator's own verdict. */
const lagHist = newHistogram();
const buckets = new Map<number, Bucket>();
const conns: (Vu | undefined)[] = [];
let stopping = false;
let finished = false;
let inFlight = 0;
let maxVus = 0;

function pick(): Req {
  if (requests.length === 1) return requests[0]!;
  const x = Math.random() * totalWeight;
  let i = 0;
  while (cumulative[i]! <= x) i++;
  return requests[i]!;
}

function bucketAt(tMs: number): Bucket {
  const s = Math.max(0, Math.floor(tMs / 1000));
  let b = buckets.get(s);
  if (!b) {
    b = { byName: new Map(), iterations: 0, dropped: 0 };
    buckets.set(s, b);
  }
  return b;
}

let lastCompletion = 0;
/** The first socket message seen per error class: why requests failed, in the report. */
const errorReasons: Record<string, string> = {};

/** TCP connect + TLS handshake of the requests that opened a connection (µs), reported apart. */
const connectHist = newHistogram();

/**
 * `fromMs`: the intended send (open model) or the actual one (closed model). In the closed model a
 * request that had to open its connection is timed from when the connection was up, as k6 times
 * http_req_duration; the connect is in `connecting`. The open model's intended-time latency keeps
 * it: the user waited for it.
 */
function record(req: Req, fromMs: number, o: DataOutcome, endMs: number): void {
  if (o.connectMs !== undefined) {
    connectHist.recordValue(Math.max(1, Math.round(o.connectMs * 1000)));
    if (!schedule) fromMs += o.connectMs;
  }
  // A request judged at the stop did not complete: the measured window still ends at the last answer.
  if (!judgingAtStop) lastCompletion = endMs;
  const b = bucketAt(endMs - startMono);
  let n = b.byName.get(req.name);
  if (!n) {
    n = { tally: emptyTally(), hist: newHistogram() };
    b.byName.set(req.name, n);
  }
  const t = n.tally;
  t.requests++;
  t.bytesIn += o.bytesIn;
  t.bytesOut += req.buf.length + (o.redirectBytesOut ?? 0);
  const cls = req.data ? o.cls : (o.cls ?? errorClassOf(o.status, o.error));
  if (cls) {
    t.failed++;
    t.errors[cls] = (t.errors[cls] ?? 0) + 1;
    if (o.reason && !errorReasons[cls]) errorReasons[cls] = o.reason;
  }
  if (o.status > 0) t.statuses[o.status] = (t.statuses[o.status] ?? 0) + 1;
  // Every request is timed, a failed one at its time to error or timeout: a request that got no
  // answer is never simply absent from the latency record (DESIGN.md, "Definitions").
  n.hist.recordValue(Math.max(1, Math.round((endMs - fromMs) * 1000)));
}

function thinkMs(): number {
  const t = init.thinkTimeMs;
  if (!t) return 0;
  return t.min === t.max ? t.min : t.min + Math.random() * (t.max - t.min);
}

function endIteration(fromMs: number, then: () => void): void {
  const think = thinkMs();
  const done = () => {
    const end = performance.now();
    bucketAt(end - startMono).iterations++;
    iterationHist.recordValue(Math.max(1, Math.round((end - fromMs) * 1000)));
    then();
  };
  if (think > 0) setTimeout(done, think);
  else done();
}

// ---- closed model: each VU loops on its own connection ----
let targetVus = 0;
let activeVus = 0;

function startVu(id: number): void {
  const conn = new Vu();
  conns[id] = conn;
  activeVus++;
  maxVus = Math.max(maxVus, activeVus);
  const loop = () => {
    if (stopping || id >= targetVus) {
      activeVus--;
      conn.close();
      conns[id] = undefined;
      checkDrained();
      return;
    }
    const req = pick();
    const t0 = performance.now();
    inFlight++;
    conn.send(req, (o) => {
      inFlight--;
      if (finished) return;
      record(req, t0, o, performance.now());
      if (judgingAtStop) return;
      endIteration(t0, loop);
    });
  };
  loop();
}

function controlVus(): void {
  if (stopping) return;
  targetVus = shareOf(vusAt(init.scenario, elapsed()), init.index, init.workers);
  for (let id = 0; id < targetVus; id++) if (!conns[id]) startVu(id);
}

// ---- open model: arrivals on schedule, latency timed from the intended send time ----
const schedule = modelOf(init.scenario) === 'open' ? new ArrivalSchedule(init.scenario) : undefined;
const idle: Vu[] = [];
let nextArrival = init.index;
let allocated = 0;
const maxConns = schedule ? Math.max(1, shareOf(maxVUsOf(init.scenario), init.index, init.workers)) : 0;

function dispatchDue(): void {
  const t = elapsed();
  for (;;) {
    const due = schedule!.timeOf(nextArrival);
    if (due > t) break;
    nextArrival += init.workers;
    let conn = idle.pop();
    if (!conn && allocated < maxConns) {
      conn = new Vu();
      conns.push(conn);
      allocated++;
    }
    const intended = startMono + due;
    // A dropped arrival's lag is how late the loop got to it: a loop on time that finds no free
    // connection drops at once (the target's), a loop behind drops late (its own).
    lagHist.recordValue(Math.max(0, Math.round((performance.now() - intended) * 1000)));
    if (!conn) {
      bucketAt(due).dropped++;
      continue;
    }
    const c = conn;
    const req = pick();
    inFlight++;
    maxVus = Math.max(maxVus, allocated - idle.length);
    c.send(req, (o) => {
      inFlight--;
      if (finished) return;
      record(req, intended, o, performance.now());
      if (judgingAtStop) return;
      endIteration(intended, () => {
        idle.push(c);
        checkDrained();
        tighten();
      });
    });
  }
}

let openTimer: NodeJS.Timeout | undefined;
function openLoop(): void {
  openTimer = undefined;
  if (stopping) return;
  dispatchDue();
  if (elapsed() >= schedule!.durationMs) {
    // Sending takes time: arrivals that fell due while the last ones went out (before the end of
    // the schedule) go now, late — their lag is recorded — never silently uncounted.
    dispatchDue();
    return void beginStop();
  }
  const wait = schedule!.timeOf(nextArrival) - elapsed();
  // Node's timers fire on whole milliseconds, late by up to ~1 ms: the send lag's p50 was 0.6 ms
  // at 500/s. So the timer is set to wake up to a millisecond early, and the rest is slept
  // precisely — when nothing is in flight, no answer can arrive to be timed late while this
  // thread sleeps, and a futex wait (Atomics.wait) is exact to tens of µs and costs no CPU. With
  // requests in flight the timer takes the rest as before. Never a busy spin: a setImmediate spin
  // kept a core 100 % busy at a few hundred req/s, starving the target on a small machine.
  if (wait <= PRECISE_MS && inFlight === 0) {
    if (wait > 0) {
      const t0 = performance.now();
      Atomics.wait(nap, 0, 0, wait);
      nappedMs += performance.now() - t0;
    }
    openLoop();
    return;
  }
  openTimer = setTimeout(openLoop, Math.min(Math.max(wait > PRECISE_MS ? wait - PRECISE_MS : wait, 0), 50));
}

/** An answer came back: if it was the last in flight and the next arrival is near, sleep to it exactly now. */
function tighten(): void {
  if (openTimer && inFlight === 0 && !stopping && schedule!.timeOf(nextArrival) - elapsed() <= PRECISE_MS) {
    clearTimeout(openTimer);
    openTimer = undefined;
    openLoop();
  }
}
/** How much of a wait the open loop may sleep exactly rather than leave to a timer (ms). */
const PRECISE_MS = 1;
const nap = new Int32Array(new SharedArrayBuffer(4));
/** Time slept in Atomics.wait: idle, though the event loop counts it as busy (taken off its utilisation). */
let nappedMs = 0;

// ---- shared: timeouts, per-second flushes, stopping ----
function sweepTimeouts(): void {
  const now = performance.now();
  for (const c of conns) if (c?.busy && c.deadline < now) c.abort('timeout');
}

function flush(all: boolean): void {
  const current = Math.floor(elapsed() / 1000);
  for (const second of [...buckets.keys()].sort((a, z) => a - z)) {
    if (!all && second >= current) continue;
    const b = buckets.get(second)!;
    buckets.delete(second);
    const byName: SecondMsg['byName'] = {};
    for (const [name, n] of b.byName) byName[name] = { tally: n.tally, hist: encode(n.hist) };
    const msg: SecondMsg = {
      type: 'second',
      second,
      byName,
      vus: schedule ? allocated - idle.length : activeVus,
      dropped: b.dropped,
      iterations: b.iterations,
    };
    port.postMessage(msg satisfies FromWorker);
  }
}

let graceTimer: NodeJS.Timeout | undefined;
function beginStop(): void {
  if (stopping) return;
  stopping = true;
  graceTimer = setTimeout(
    () => finish(`no answer by the end of gracefulStop (${init.gracefulStopMs} ms after the load's end)`),
    init.gracefulStopMs,
  );
  checkDrained();
}

function checkDrained(): void {
  if (stopping && inFlight === 0 && !finished) finish('');
}

/** Set while the requests still in flight at the stop are judged: they end no iteration. */
let judgingAtStop = false;

const timers: { sweep?: NodeJS.Timeout; flush?: NodeJS.Timeout; control?: NodeJS.Timeout } = {};

/**
 * The end: at the end of gracefulStop, or when the engine stops the run (an abort, a threshold's
 * abortOnFail, a capacity step's saturation, an interrupt). Every request still in flight is judged
 * now — failed as `timeout` (why: `stoppedWhy`), timed to this instant, in this second — never
 * simply absent: a hang that outlasts the run is a failure, not a missing sample.
 */
function finish(stoppedWhy: string): void {
  if (finished) return;
  clearTimeout(graceTimer);
  clearInterval(timers.sweep);
  clearInterval(timers.flush);
  clearInterval(timers.control);
  const interrupted = inFlight;
  judgingAtStop = true;
  for (const c of conns) if (c?.busy) c.abort('timeout', stoppedWhy);
  finished = true;
  for (const c of conns) c?.close();
  flush(true);
  const loop = performance.eventLoopUtilization(eluAtStart);
  const elu = loop.active + loop.idle > 0 ? Math.max(0, loop.active - nappedMs) / (loop.active + loop.idle) : 0;
  const done: DoneMsg = {
    type: 'done',
    iterationHist: encode(iterationHist),
    ...(schedule ? { lagHist: encode(lagHist), connectionLimit: maxConns } : {}),
    errorReasons,
    connectHist: encode(connectHist),
    interrupted,
    maxVus,
    lastCompletionMs: Math.max(0, lastCompletion - startMono),
    elu,
  };
  port.postMessage(done satisfies FromWorker);
}

let eluAtStart: EventLoopUtilization | undefined;

function start(startAt: number): void {
  startMono = startAt - performance.timeOrigin;
  setTimeout(
    () => {
      eluAtStart = performance.eventLoopUtilization();
      timers.sweep = setInterval(sweepTimeouts, 50);
      timers.flush = setInterval(() => flush(false), 250);
      if (schedule) {
        openLoop();
      } else {
        controlVus();
        timers.control = setInterval(() => {
          controlVus();
          if (elapsed() >= scenarioDurationMs(init.scenario)) beginStop();
        }, 100);
      }
    },
    Math.max(0, startMono - performance.now()),
  );
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'start') start(m.startAt);
  else if (m.type === 'stop') {
    stopping = true;
    finish('no answer before the run was stopped');
  }
});
// Before the start, not on the first arrivals' clock: the TLS context (CA, client key) is parsed,
// and the open model's pre-allocated connections are opened — else the first arrivals find none
// idle and open one each, a storm of connects that puts the generator behind its schedule
// (measured: send lag p99 51 ms at 8 000 req/s, all of it in the first 500 ms).
if (init.tls) connectOptions(init.tls);
// The histogram's record path is the hottest code per request: compiled before the clock starts
// rather than interpreted through the first few hundred arrivals.
const scratch = newHistogram();
for (let i = 0; i < 200_000; i++) scratch.recordValue(1 + (i % 50_000));
if (schedule && 'preAllocatedVUs' in init.scenario) {
  const n = Math.min(maxConns, shareOf(init.scenario.preAllocatedVUs, init.index, init.workers));
  for (let i = 0; i < n; i++) {
    const c = new Vu();
    conns.push(c);
    idle.push(c);
    allocated++;
  }
  // Only where HTTP requests go: a profile of SQL and Redis alone never touches the base URL.
  if (requests.some((r) => !r.data))
    await Promise.all(idle.map((c) => c.http.preconnect(Math.min(init.timeoutMs, 5000))));
  // One link per database URL of the mix (the first request of each names it).
  const data = [
    ...new Map(requests.filter((r) => r.data).map((r) => [`${r.data!.kind} ${r.data!.url}`, r.data!])).values(),
  ];
  if (data.length) await Promise.all(idle.map((c) => c.preconnectData(data, Math.min(init.timeoutMs, 5000))));
}
port.postMessage({ type: 'ready' } satisfies FromWorker);

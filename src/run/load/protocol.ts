// Messages between the engine (main thread) and its load-generating worker threads.
import type { Executor } from '../../config/profile.ts';
import type { Http1Tls, NetError } from './http1.ts';

/** A SQL statement or a Redis command of the mix, as a worker sends it (run/load/data.ts). */
export type DataRequest =
  | {
      kind: 'postgres';
      url: string;
      /** The prepared statement's name: one per request of the mix. */
      statement: string;
      sql: string;
      params: (string | number | boolean | null)[];
      /** Server-side statement_timeout for this URL's connections (the largest request timeout on it). */
      serverTimeoutMs: number;
    }
  | { kind: 'redis'; url: string; command: (string | number)[] };

export interface WorkerRequest {
  name: string;
  /** HTTP: the serialised request (empty for data requests). */
  bytes: Uint8Array;
  expectBody: boolean;
  weight: number;
  /** A SQL statement or Redis command instead of an HTTP request. */
  data?: DataRequest;
  /** Its own timeout, when not the profile's. */
  timeoutMs?: number;
}

export interface WorkerInit {
  index: number;
  workers: number;
  host: string;
  port: number;
  /** https targets: the TLS options every connection uses. */
  tls?: Http1Tls;
  requests: WorkerRequest[];
  scenario: Executor;
  timeoutMs: number;
  gracefulStopMs: number;
  /** Redirects an HTTP request follows to its final answer (0: the 3xx is the answer). */
  maxRedirects: number;
  thinkTimeMs?: { min: number; max: number } | undefined;
}

/** HTTP's classes, and the data tier's (`db_serialization`, `db_read_only`, `redis_noperm`, …). */
export type ErrorClass =
  NetError | 'http_4xx' | 'http_429' | 'http_5xx' | 'http_other' | `db_${string}` | `redis_${string}`;

export interface Tally {
  requests: number;
  failed: number;
  /** By error class (an ErrorClass). */
  errors: Record<string, number>;
  statuses: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
}

export interface SecondMsg {
  type: 'second';
  second: number;
  /** Per request name: its tally and latency histogram (µs, compressed base64) for this second. */
  byName: Record<string, { tally: Tally; hist: string }>;
  vus: number;
  dropped: number;
  iterations: number;
}

export interface DoneMsg {
  type: 'done';
  iterationHist: string;
  /** Open model: send lag behind the schedule (µs), and the connections this worker could open. */
  lagHist?: string;
  connectionLimit?: number;
  /** The first socket message per error class (e.g. tls: "self-signed certificate"). */
  errorReasons: Record<string, string>;
  /** TCP connect + TLS handshake of requests that opened a connection (µs). */
  connectHist: string;
  interrupted: number;
  maxVus: number;
  /** ms from the start to the last completed request: the end of the measured window. */
  lastCompletionMs: number;
  /** Event-loop utilisation of the worker from start to finish (0–1): near 1, the generator itself was the limit. */
  elu: number;
}

export type FromWorker = { type: 'ready' } | SecondMsg | DoneMsg;
/** start: every worker begins at the same epoch ms (performance.timeOrigin + now()). */
export type ToWorker = { type: 'start'; startAt: number } | { type: 'stop' };

export const emptyTally = (): Tally => ({ requests: 0, failed: 0, errors: {}, statuses: {}, bytesIn: 0, bytesOut: 0 });

export function addTally(into: Tally, t: Tally): void {
  into.requests += t.requests;
  into.failed += t.failed;
  into.bytesIn += t.bytesIn;
  into.bytesOut += t.bytesOut;
  for (const [k, v] of Object.entries(t.errors)) into.errors[k] = (into.errors[k] ?? 0) + v;
  for (const [k, v] of Object.entries(t.statuses)) into.statuses[k] = (into.statuses[k] ?? 0) + v;
}

/** k6's http_req_failed: a network error or a status outside 200–399. */
export function errorClassOf(status: number, net: NetError | undefined): ErrorClass | undefined {
  if (net) return net;
  if (status >= 200 && status < 400) return undefined;
  if (status === 429) return 'http_429';
  if (status >= 500 && status < 600) return 'http_5xx';
  if (status >= 400 && status < 500) return 'http_4xx';
  return 'http_other';
}

// Shards in pods: the init travels as JSON (request bytes in base64), and every message a shard's
// worker sends is one line of its log, prefixed, so the coordinator can follow the log and
// merge exactly what a thread would have sent.
export const SHARD_LINE = 'GAUNTLET-SHARD ';

export type WireInit = Omit<WorkerInit, 'requests'> & {
  requests: (Omit<WorkerRequest, 'bytes'> & { bytes: string })[];
};

/** What a shard says besides its worker's messages: when it was ready to start (epoch ms). */
export type ShardLine = FromWorker | { type: 'shard-ready'; at: number };

export const toWire = (i: WorkerInit): WireInit => ({
  ...i,
  requests: i.requests.map((r) => ({ ...r, bytes: Buffer.from(r.bytes).toString('base64') })),
});

export const fromWire = (w: WireInit): WorkerInit => ({
  ...w,
  requests: w.requests.map((r) => ({ ...r, bytes: new Uint8Array(Buffer.from(r.bytes, 'base64')) })),
});

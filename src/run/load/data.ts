// The data tier in a load profile: SQL statements on PostgreSQL and Redis commands, sent by the
// same VUs as HTTP requests and timed the same way. Each VU holds one connection per database
// URL, opened on first use (its connect reported apart, like HTTP's); each statement is prepared
// once per connection. One request in flight per VU, so a VU's links are busy or idle as one.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { NetError, Outcome } from './http1.ts';
import type { DataRequest, ErrorClass } from './protocol.ts';

export type { DataRequest };

/** A data request's outcome: no HTTP status; `cls` names the failure, undefined when it succeeded. */
export interface DataOutcome extends Outcome {
  cls?: ErrorClass;
}

/**
 * The error class of a failed statement or command, k6-style: timeouts, refused and reset like
 * HTTP's; PostgreSQL by SQLSTATE (serialization failure, deadlock, read-only transaction on a
 * replica, server shutting down, else the SQLSTATE class), Redis by its error reply's code.
 */
export function dataErrorClass(kind: 'postgres' | 'redis', err: unknown): { cls: ErrorClass; reason: string } {
  const e = err as { code?: string; message?: string };
  const reason = String(e?.message ?? err).slice(0, 300);
  const net: Record<string, NetError> = {
    ECONNREFUSED: 'refused',
    ECONNRESET: 'reset',
    EPIPE: 'reset',
    ETIMEDOUT: 'timeout',
  };
  if (e?.code && net[e.code]) return { cls: net[e.code]!, reason };
  if (/timed? ?out|timeout/i.test(reason) && !/statement timeout/.test(reason)) return { cls: 'timeout', reason };
  if (
    /Connection terminated|connection is closed|Connection is closed|socket hang up|ended by the other party/i.test(
      reason,
    )
  )
    return { cls: 'reset', reason };
  if (kind === 'postgres') {
    const code = /^[0-9A-Z]{5}$/.test(e?.code ?? '') ? e.code! : undefined;
    if (!code) return { cls: 'other', reason };
    const named: Record<string, ErrorClass> = {
      '40001': 'db_serialization',
      '40P01': 'db_deadlock',
      '57014': 'timeout', // statement_timeout: query_canceled
      '25006': 'db_read_only',
      '57P01': 'db_unavailable',
      '57P02': 'db_unavailable',
      '57P03': 'db_unavailable',
      '53300': 'db_too_many_connections',
    };
    return { cls: named[code] ?? (code.startsWith('08') ? 'reset' : `db_sqlstate_${code.slice(0, 2)}`), reason };
  }
  const reply = /^([A-Z]+)\b/.exec(reason)?.[1];
  return { cls: reply ? `redis_${reply.toLowerCase()}` : 'other', reason };
}

/** Failures after which a connection is not reused. */
const BROKEN = new Set<ErrorClass>(['reset', 'refused', 'timeout', 'other', 'db_unavailable']);

/**
 * One connection of a VU to one database: a request in flight or none, its callback called once,
 * the connection opened on first use (or before the clock) and dropped when it broke.
 */
abstract class Link {
  busy = false;
  sentAt = 0;
  #callback: ((o: DataOutcome) => void) | undefined;
  protected ready: Promise<void> | undefined;

  /** Opens the connection (before the clock starts, for pre-allocated VUs); resolves when it is up. */
  abstract connect(): Promise<void>;
  protected abstract get connected(): boolean;
  /** Closes the connection at once, whatever is in flight on it. */
  protected abstract drop(): void;

  /** The request in flight's number: a late answer to an earlier one (timed out, its connection dropped) is not its. */
  #seq = 0;
  protected current(id: number): boolean {
    return id === this.#seq && this.busy;
  }

  /** Starts a request: how long it waited for its connection, if it had to open one. */
  protected begin(callback: (o: DataOutcome) => void): {
    id: number;
    ready: Promise<void>;
    connectMs: () => number | undefined;
  } {
    const id = ++this.#seq;
    this.busy = true;
    this.sentAt = performance.now();
    this.#callback = callback;
    let connectMs: number | undefined;
    if (!this.connected) {
      const t0 = performance.now();
      this.connect().then(
        () => void (connectMs = performance.now() - t0),
        () => {},
      );
    }
    return { id, ready: this.ready!, connectMs: () => connectMs };
  }

  protected finish(o: DataOutcome): void {
    const cb = this.#callback;
    this.#callback = undefined;
    this.busy = false;
    cb?.(o);
  }

  abort(error: NetError, reason = 'no answer within the request timeout'): void {
    this.drop();
    this.finish({ status: 0, bytesIn: 0, cls: error, reason });
  }

  close(): void {
    this.#callback = undefined;
    this.busy = false;
    this.drop();
  }
}

const took = (connectMs: number | undefined) => (connectMs !== undefined ? { connectMs } : {});

class PgLink extends Link {
  #client: pg.Client | undefined;

  constructor(
    readonly url: string,
    readonly serverTimeoutMs: number,
  ) {
    super();
  }

  protected get connected(): boolean {
    return this.#client !== undefined;
  }

  send(r: Extract<DataRequest, { kind: 'postgres' }>, callback: (o: DataOutcome) => void): void {
    const { id, ready, connectMs } = this.begin(callback);
    const client = this.#client!;
    let up = false;
    ready
      .then(() => {
        up = true;
        // Rows as arrays: nothing reads them, and building objects per row costs per query.
        return client.query({ name: r.statement, text: r.sql, values: r.params, rowMode: 'array' });
      })
      .then(
        () => this.current(id) && this.finish({ status: 0, bytesIn: 0, ...took(connectMs()) }),
        (err: unknown) => {
          // A statement that timed out fails later, when its connection is dropped: that is not
          // the next request's failure, nor a reason to drop the connection that request uses.
          if (!this.current(id)) return;
          const { cls, reason } = dataErrorClass('postgres', err);
          // A statement's own error keeps the connection; a broken or refused one is replaced next time.
          if (!up || BROKEN.has(cls)) this.drop();
          this.finish({ status: 0, bytesIn: 0, cls, reason });
        },
      );
  }

  connect(): Promise<void> {
    if (!this.#client) {
      const client = new pg.Client({ connectionString: this.url, statement_timeout: this.serverTimeoutMs });
      // Only this client's own trouble drops it: a dropped one may still report its end later.
      client.on('error', () => this.#client === client && this.drop());
      this.#client = client;
      this.ready = client.connect().then(() => {});
    }
    return this.ready!;
  }

  protected drop(): void {
    const c = this.#client;
    this.#client = undefined;
    this.ready = undefined;
    if (c) {
      // A statement stuck on a dead server never answers: the socket goes, not a polite end().
      (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      c.end().catch(() => {});
    }
  }
}

class RedisLink extends Link {
  #client: Redis | undefined;

  constructor(readonly url: string) {
    super();
  }

  protected get connected(): boolean {
    return this.#client !== undefined;
  }

  send(r: Extract<DataRequest, { kind: 'redis' }>, callback: (o: DataOutcome) => void): void {
    const { id, ready, connectMs } = this.begin(callback);
    const client = this.#client!;
    const [cmd, ...args] = r.command;
    ready
      .then(() => client.call(String(cmd), ...args.map(String)))
      .then(
        (reply) =>
          this.current(id) &&
          this.finish({ status: 0, bytesIn: typeof reply === 'string' ? reply.length : 0, ...took(connectMs()) }),
        (err: unknown) => {
          if (!this.current(id)) return;
          const { cls, reason } = dataErrorClass('redis', err);
          if (!cls.startsWith('redis_')) this.drop();
          this.finish({ status: 0, bytesIn: 0, cls, reason });
        },
      );
  }

  connect(): Promise<void> {
    if (!this.#client) {
      // No retries, no offline queue: a command that cannot be sent fails, and is counted.
      const client = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
        enableReadyCheck: false,
      });
      client.on('error', () => {});
      this.#client = client;
      this.ready = client.connect();
    }
    return this.ready!;
  }

  protected drop(): void {
    const c = this.#client;
    this.#client = undefined;
    this.ready = undefined;
    c?.disconnect();
  }
}

/** One VU's database connections, by URL. */
export class DataLinks {
  #links = new Map<string, PgLink | RedisLink>();
  #current: Link | undefined;

  get busy(): boolean {
    return this.#current?.busy ?? false;
  }

  get sentAt(): number {
    return this.#current?.sentAt ?? 0;
  }

  #link(r: DataRequest): PgLink | RedisLink {
    const key = `${r.kind} ${r.url}`;
    let link = this.#links.get(key);
    if (!link) {
      link = r.kind === 'postgres' ? new PgLink(r.url, r.serverTimeoutMs) : new RedisLink(r.url);
      this.#links.set(key, link);
    }
    return link;
  }

  /**
   * Opens a link for each of these requests' URLs before the clock starts (the open model's
   * pre-allocated VUs), as pgbench connects before it starts: else the first arrivals wait for
   * connects. A connect that fails here is retried by the first request, and counted there.
   */
  preconnect(rs: readonly DataRequest[], timeoutMs: number): Promise<void> {
    const opening = rs.map((r) =>
      this.#link(r)
        .connect()
        .catch(() => {}),
    );
    return Promise.race([Promise.all(opening).then(() => {}), new Promise<void>((r) => setTimeout(r, timeoutMs))]);
  }

  send(r: DataRequest, callback: (o: DataOutcome) => void): void {
    const link = this.#link(r);
    this.#current = link;
    if (r.kind === 'postgres') (link as PgLink).send(r, callback);
    else (link as RedisLink).send(r, callback);
  }

  abort(error: NetError, reason?: string): void {
    this.#current?.abort(error, reason);
  }

  close(): void {
    for (const l of this.#links.values()) l.close();
    this.#links.clear();
  }
}

// A keep-alive HTTP/1.1 client connection for the load engine's hot path: one request in
// flight at a time, requests pre-serialised to Buffers, responses parsed just enough to find
// their end (Content-Length, chunked, or close). A server closing the connection between
// requests (nginx's keepalive_requests) costs a reconnect, never a stale timing.
import { Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';

export type NetError = 'timeout' | 'refused' | 'reset' | 'tls' | 'other';

/** For https targets: node:tls options (SNI servername, CA, client certificate, verification). */
export type Http1Tls = Pick<ConnectionOptions, 'servername' | 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;

export interface Outcome {
  /** HTTP status, or 0 when the request failed at the network level. */
  status: number;
  error?: NetError;
  /** For a network failure: the socket's own message (e.g. why a certificate was refused). */
  reason?: string;
  /** When this request waited for its connection to open: the TCP connect + TLS handshake it waited, ms. */
  connectMs?: number;
  bytesIn: number;
  /** A redirect's (301, 302, 303, 307, 308) Location header, as sent. */
  location?: string;
  /** Bytes sent for the redirects this request followed. */
  redirectBytesOut?: number;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

export class Http1Connection {
  #socket: Socket | undefined;
  #connected = false;
  #buf: Buffer | undefined;
  #callback: ((o: Outcome) => void) | undefined;
  #request: Buffer | undefined;
  #expectBody = true;
  /** Parser state of the response in flight. */
  #status = 0;
  #headerEnd = -1;
  #bodyLeft = -1; // bytes of body still due (Content-Length), -1 when unknown
  #chunked = false;
  #untilClose = false;
  #closeAfter = false;
  #bytesIn = 0;
  #location: string | undefined;
  /** performance.now() when the current request was written; for timeouts. */
  sentAt = 0;
  #connectStartedAt = 0;
  /** The connect time the request in flight waited for, ms (reported apart, as k6's http_req_connecting). */
  #paidConnectMs: number | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly tls?: Http1Tls,
  ) {}

  get busy(): boolean {
    return this.#callback !== undefined;
  }

  /** Sends one request; the callback fires exactly once. */
  send(request: Buffer, expectBody: boolean, callback: (o: Outcome) => void): void {
    this.#callback = callback;
    this.#request = request;
    this.#expectBody = expectBody;
    this.#resetParser();
    this.sentAt = performance.now();
    if (this.#socket && this.#connected) this.#socket.write(request);
    else if (!this.#socket) this.#connect();
  }

  /**
   * Opens the connection before any request (the open model's pre-allocated VUs), so the run does
   * not start with a storm of connects; resolves once connected or failed (bounded by timeoutMs).
   */
  preconnect(timeoutMs: number): Promise<void> {
    if (this.#socket) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#connected$ = () => {
        clearTimeout(timer);
        this.#connected$ = undefined;
        resolve();
      };
      this.#connect();
    });
  }

  #connected$: (() => void) | undefined;

  /** Fails the request in flight (e.g. its timeout passed) and drops the connection. */
  abort(error: NetError, reason?: string): void {
    this.#drop();
    this.#finish({ status: 0, error, ...(reason !== undefined ? { reason } : {}), bytesIn: this.#bytesIn });
  }

  close(): void {
    this.#drop();
    this.#callback = undefined;
  }

  #connect(): void {
    // Over TLS the request goes out once the handshake is done (ALPN pins HTTP/1.1).
    const socket = this.tls
      ? tlsConnect({ host: this.host, port: this.port, ...connectOptions(this.tls), ALPNProtocols: ['http/1.1'] })
      : new Socket();
    this.#socket = socket;
    this.#connected = false;
    this.#connectStartedAt = performance.now();
    socket.setNoDelay(true);
    socket.on(this.tls ? 'secureConnect' : 'connect', () => {
      this.#connected = true;
      if (this.#callback) this.#paidConnectMs = performance.now() - Math.max(this.sentAt, this.#connectStartedAt);
      this.#connected$?.();
      if (this.#request && this.#callback) socket.write(this.#request);
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (this.#socket !== socket) return;
      this.#drop();
      this.#connected$?.();
      const reason = err.code && !err.message.includes(err.code) ? `${err.message} (${err.code})` : err.message;
      this.#finish({ status: 0, error: classify(err.code), reason, bytesIn: this.#bytesIn });
    });
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#connected = false;
      if (!this.#callback) return;
      if (this.#untilClose && this.#headerEnd >= 0) this.#finish(this.#answer(this.#status, this.#bytesIn));
      else this.#finish({ status: 0, error: 'reset', bytesIn: this.#bytesIn });
    });
    if (!this.tls) (socket as Socket).connect(this.port, this.host);
  }

  #drop(): void {
    const s = this.#socket;
    this.#socket = undefined;
    this.#connected = false;
    this.#buf = undefined;
    s?.destroy();
  }

  #resetParser(): void {
    this.#buf = undefined;
    this.#status = 0;
    this.#headerEnd = -1;
    this.#bodyLeft = -1;
    this.#chunked = false;
    this.#untilClose = false;
    this.#closeAfter = false;
    this.#bytesIn = 0;
    this.#location = undefined;
  }

  #finish(o: Outcome): void {
    const cb = this.#callback;
    const connectMs = this.#paidConnectMs;
    this.#callback = undefined;
    this.#request = undefined;
    this.#paidConnectMs = undefined;
    cb?.(connectMs === undefined ? o : { ...o, connectMs });
  }

  #onData(chunk: Buffer): void {
    if (!this.#callback) {
      // Bytes nobody asked for (a server speaking out of turn): this connection can't be trusted.
      this.#drop();
      return;
    }
    this.#bytesIn += chunk.length;
    let buf = this.#buf ? Buffer.concat([this.#buf, chunk]) : chunk;
    // Interim 1xx responses (100 Continue, 103 Early Hints) precede the final one: skip them.
    while (this.#headerEnd < 0) {
      const end = buf.indexOf(CRLFCRLF);
      if (end < 0) {
        this.#buf = buf;
        return;
      }
      if (!this.#parseHead(buf.toString('latin1', 0, end))) {
        this.#drop();
        this.#finish({
          status: 0,
          error: 'other',
          reason: `malformed status line: ${JSON.stringify(buf.toString('latin1', 0, Math.min(end, 40)))}`,
          bytesIn: this.#bytesIn,
        });
        return;
      }
      buf = buf.subarray(end + 4);
      if (this.#status >= 100 && this.#status < 200 && this.#status !== 101) continue;
      this.#headerEnd = end;
      if (!this.#expectBody || this.#status === 204 || this.#status === 304) {
        this.#bodyLeft = 0;
        this.#chunked = false;
        this.#untilClose = false;
      }
    }
    if (this.#untilClose) {
      this.#buf = undefined;
      return;
    }
    let rest: Buffer;
    if (this.#chunked) {
      const after = this.#consumeChunks(buf);
      if (after === undefined) return; // need more
      rest = after;
    } else {
      if (buf.length < this.#bodyLeft) {
        this.#bodyLeft -= buf.length;
        this.#buf = undefined;
        return;
      }
      rest = buf.subarray(this.#bodyLeft);
      this.#bodyLeft = 0;
    }
    // Bytes past the end of the answer were not asked for: the connection cannot be trusted.
    if (rest.length > 0) this.#closeAfter = true;
    this.#complete();
  }

  /** Consumes chunked body; returns undefined while more is needed. */
  #consumeChunks(buf: Buffer): Buffer | undefined {
    let pos = 0;
    for (;;) {
      if (this.#bodyLeft > 0) {
        // Inside a chunk's data (+2 for its CRLF).
        const take = Math.min(this.#bodyLeft, buf.length - pos);
        this.#bodyLeft -= take;
        pos += take;
        if (this.#bodyLeft > 0) {
          this.#buf = undefined;
          return undefined;
        }
      }
      const lineEnd = buf.indexOf(CRLF, pos);
      if (lineEnd < 0) {
        this.#buf = buf.subarray(pos);
        return undefined;
      }
      const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
      if (size === 0) {
        // Last chunk: then optional trailers, then CRLF.
        const end = buf.indexOf(CRLFCRLF, lineEnd);
        if (end < 0) {
          this.#buf = buf.subarray(pos);
          return undefined;
        }
        return buf.subarray(end + 4);
      }
      if (Number.isNaN(size)) {
        this.#drop();
        this.#finish({ status: 0, error: 'other', bytesIn: this.#bytesIn });
        return undefined;
      }
      pos = lineEnd + 2;
      this.#bodyLeft = size + 2;
    }
  }

  /** Reads the status line and the framing headers; false when it is not an HTTP/1.x response. */
  #parseHead(head: string): boolean {
    // "HTTP/1.1 200 OK"
    if (!/^HTTP\/1\.[01] \d{3}/.test(head)) return false;
    this.#status = Number(head.slice(9, 12));
    this.#chunked = false;
    this.#untilClose = false;
    this.#bodyLeft = -1;
    const lower = head.toLowerCase();
    const cl = /\r\ncontent-length:\s*(\d+)/.exec(lower);
    this.#chunked = /\r\ntransfer-encoding:[^\r]*chunked/.test(lower);
    this.#closeAfter = /\r\nconnection:\s*close/.test(lower) || head.startsWith('HTTP/1.0');
    if (this.#chunked) this.#bodyLeft = 0;
    else if (cl) this.#bodyLeft = Number(cl[1]);
    else this.#untilClose = true;
    this.#location = REDIRECTS.has(this.#status) ? /\r\nlocation:[ \t]*([^\r]*)/i.exec(head)?.[1]?.trim() : undefined;
    return true;
  }

  #answer(status: number, bytesIn: number): Outcome {
    return this.#location === undefined ? { status, bytesIn } : { status, bytesIn, location: this.#location };
  }

  #complete(): void {
    const status = this.#status;
    const bytesIn = this.#bytesIn;
    this.#buf = undefined;
    const answer = this.#answer(status, bytesIn);
    if (this.#closeAfter) this.#drop();
    this.#finish(answer);
  }
}

// One secure context per TLS settings: parsing the CA and client key for every connection cost
// milliseconds of the generator's time per connect (measured: send lag p99 17 ms at 50 req/s).
const contexts = new WeakMap<Http1Tls, ConnectionOptions>();
/** Builds (once) the secure context for these settings: call before the clock starts. */
export function connectOptions(tls: Http1Tls): ConnectionOptions {
  let o = contexts.get(tls);
  if (!o) {
    const secureContext: SecureContext = createSecureContext({
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
    });
    o = {
      secureContext,
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
      ...(tls.servername ? { servername: tls.servername } : {}),
    };
    contexts.set(tls, o);
  }
  return o;
}

function classify(code: string | undefined): NetError {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return code !== undefined && /CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|ERR_TLS|ERR_SSL|EPROTO/.test(code)
        ? 'tls'
        : 'other';
  }
}

/** The statuses a client follows (as Go's net/http, which k6 uses): with a Location, to the final answer. */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The target a redirect may lead back to: the same scheme, host and port. */
export interface Origin {
  https: boolean;
  host: string;
  port: number;
}

/**
 * The request a redirect asks for, as Go's client (k6) makes it: 301/302/303 turn any method but
 * GET and HEAD into GET and drop the body (and its content-* headers); 307/308 repeat the method
 * and body. Only to the target's own origin — the load engine holds one connection per VU to one
 * server — so a redirect elsewhere, or to a Location that is not a URL, is `refused` with why.
 */
export function redirectRequest(
  request: Buffer,
  status: number,
  location: string,
  origin: Origin,
): { bytes: Buffer; expectBody: boolean } | { refused: string } {
  const headEnd = request.indexOf(CRLFCRLF);
  const head = request.toString('latin1', 0, headEnd);
  const lines = head.split('\r\n');
  const [method = 'GET', path = '/'] = lines[0]!.split(' ');
  const scheme = origin.https ? 'https:' : 'http:';
  const host = origin.host.includes(':') ? `[${origin.host}]` : origin.host;
  let to: URL;
  try {
    to = new URL(location, `${scheme}//${host}:${origin.port}${path}`);
  } catch {
    return { refused: `a redirect to ${JSON.stringify(location)}, which is not a URL` };
  }
  const port = Number(to.port || (to.protocol === 'https:' ? 443 : 80));
  if (
    to.protocol !== scheme ||
    to.hostname.replace(/^\[|\]$/g, '').toLowerCase() !== origin.host.toLowerCase() ||
    port !== origin.port
  )
    return { refused: `a redirect to another origin (${to.origin}), which the load engine does not follow` };
  const keep = status === 307 || status === 308;
  const next = keep || method === 'HEAD' ? method : 'GET';
  const out = [`${next} ${to.pathname}${to.search} HTTP/1.1`];
  for (const line of lines.slice(1))
    if (keep || !/^(content-length|content-type|transfer-encoding):/i.test(line)) out.push(line);
  const bytes = Buffer.from(`${out.join('\r\n')}\r\n\r\n`, 'latin1');
  return {
    bytes: keep ? Buffer.concat([bytes, request.subarray(headEnd + 4)]) : bytes,
    expectBody: next !== 'HEAD',
  };
}

/** Serialises a request once; the hot loop writes the same Buffer again and again. */
export function serialiseRequest(
  r: { method: string; path: string; headers: Record<string, string>; body?: string | undefined },
  hostHeader: string,
): Buffer {
  const lines = [`${r.method} ${r.path} HTTP/1.1`, `host: ${hostHeader}`];
  const lower = new Set(Object.keys(r.headers).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(r.headers)) lines.push(`${k}: ${v}`);
  if (!lower.has('user-agent')) lines.push('user-agent: gauntlet');
  const body = r.body !== undefined ? Buffer.from(r.body) : undefined;
  if (body) lines.push(`content-length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

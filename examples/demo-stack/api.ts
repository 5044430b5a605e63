// The demo API: a small, honest stand-in for what teams deploy — REST + JWT login + a protected
// JSON endpoint + GraphQL + a WebSocket echo + a per-IP rate limit answering 429.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Counter, Histogram, Registry } from 'prom-client';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql } from 'graphql';
import { SignJWT, jwtVerify } from 'jose';
import { WebSocketServer } from 'ws';
import pg from 'pg';
import { Redis } from 'ioredis';
import { migrate, checkPassword } from './db.ts';
import { frontendPage } from './frontend.ts';

export interface DemoApiOptions {
  port?: number;
  host?: string;
  /** The demo user's password (username "demo"). */
  password: string;
  /** HMAC key for the JWTs. */
  jwtSecret: string;
  /** Requests per minute per client IP on everything but /health and / (default 100). */
  rateLimitPerMinute?: number;
  /** Keep users and items in this PostgreSQL (migrated at start); in memory when absent. */
  databaseUrl?: string;
  /** Cache the catalog in this Redis. */
  redisUrl?: string;
  /** Where the request metrics go (the cluster's workers use prom-client's global registry, which the primary aggregates). */
  registry?: Registry;
  /** Answer this share of /api/items requests with a 500 (0–1), to give error-ratio SLOs something to see. */
  errorRatio?: number;
}

/** What Prometheus scrapes: a request counter and a latency histogram, by route and status code. */
export function requestMetrics(registry: Registry): {
  observe(route: string, method: string, code: number, seconds: number): void;
} {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'Requests answered, by route and status code',
    labelNames: ['method', 'route', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer, by route',
    labelNames: ['method', 'route', 'code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    observe(route, method, code, seconds) {
      requests.inc({ method, route, code: String(code) });
      duration.observe({ method, route, code: String(code) }, seconds);
    },
  };
}

const ROUTES = new Set(['/', '/health', '/login', '/api/items', '/graphql', '/ws', '/metrics']);
const routeOf = (path: string) =>
  ROUTES.has(path) ? path : /^\/api\/catalog\/\d+$/.test(path) ? '/api/catalog/:id' : 'other';

export interface DemoApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

const VERSION = '1.4.2';
const items = [
  { id: 1, name: 'Anvil', priceCents: 4999 },
  { id: 2, name: 'Rope', priceCents: 1299 },
  { id: 3, name: 'Lantern', priceCents: 2450 },
];

const schema = buildSchema(`
  type Item { id: Int!, name: String!, priceCents: Int! }
  type Query { items: [Item!]!, item(id: Int!): Item, health: String! }
`);
const rootFor = (list: () => Promise<{ items: typeof items }>) => ({
  items: async () => (await list()).items,
  item: async ({ id }: { id: number }) => (await list()).items.find((i) => i.id === id) ?? null,
  health: () => 'ok',
});

export async function startDemoApi(opts: DemoApiOptions): Promise<DemoApi> {
  const key = new TextEncoder().encode(opts.jwtSecret);
  const db = opts.databaseUrl
    ? new pg.Pool({
        connectionString: opts.databaseUrl,
        max: 5,
        connectionTimeoutMillis: 3000,
        statement_timeout: 5000,
      })
    : undefined;
  db?.on('error', () => {});
  if (db) await migrate(db, opts.password);
  const cache = opts.redisUrl
    ? new Redis(opts.redisUrl, {
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        commandTimeout: 2000,
        lazyConnect: true,
      })
    : undefined;
  cache?.on('error', () => {});
  await cache?.connect();
  const listItems = async (): Promise<{ items: typeof items; cache: 'hit' | 'miss' | 'none' }> => {
    if (!db) return { items, cache: 'none' };
    const cached = await cache?.get('demo:catalog').catch(() => null);
    if (cached) return { items: JSON.parse(cached) as typeof items, cache: 'hit' };
    const rows = (
      await db.query<{ id: number; name: string; priceCents: number }>(
        'select id, name, price_cents as "priceCents" from items order by id',
      )
    ).rows;
    await cache?.set('demo:catalog', JSON.stringify(rows), 'EX', 5).catch(() => {});
    return { items: rows, cache: cache ? 'miss' : 'none' };
  };
  const limit = opts.rateLimitPerMinute ?? 100;
  const windows = new Map<string, { start: number; count: number }>();
  const started = Date.now();

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  const limited = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const ip = req.socket.remoteAddress ?? '?';
    const now = Date.now();
    if (cache) {
      // Shared by every worker: a fixed one-minute window per client IP.
      const key = `demo:rl:${ip}:${Math.floor(now / 60_000)}`;
      const count = await cache.incr(key).catch(() => 0);
      if (count === 1) await cache.expire(key, 61).catch(() => {});
      if (count <= limit) return false;
      json(
        res,
        429,
        { error: 'rate limit exceeded', limitPerMinute: limit },
        { 'retry-after': String(Math.ceil((60_000 - (now % 60_000)) / 1000)) },
      );
      return true;
    }
    const w = windows.get(ip);
    if (!w || now - w.start >= 60_000) {
      windows.set(ip, { start: now, count: 1 });
      return false;
    }
    w.count++;
    if (w.count <= limit) return false;
    const retryAfter = Math.ceil((w.start + 60_000 - now) / 1000);
    json(res, 429, { error: 'rate limit exceeded', limitPerMinute: limit }, { 'retry-after': String(retryAfter) });
    return true;
  };

  const user = async (req: IncomingMessage): Promise<string | undefined> => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    try {
      const { payload } = await jwtVerify(m[1]!, key, { algorithms: ['HS256'] });
      return payload.sub;
    } catch {
      return undefined;
    }
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 64 * 1024) reject(new Error('body too large'));
        else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const registry = opts.registry ?? new Registry();
  const metrics = requestMetrics(registry);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const t0 = performance.now();
    res.on('finish', () =>
      metrics.observe(routeOf(url.pathname), req.method ?? 'GET', res.statusCode, (performance.now() - t0) / 1000),
    );
    if (url.pathname === '/metrics' && req.method === 'GET') {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      return res.end(body);
    }
    if (url.pathname === '/api/items' && opts.errorRatio && Math.random() < opts.errorRatio) {
      return json(res, 500, { error: 'injected error (errorRatio)' });
    }
    if (url.pathname === '/health' && req.method === 'GET') {
      return json(res, 200, { status: 'ok', version: VERSION, uptimeS: Math.round((Date.now() - started) / 1000) });
    }
    if (url.pathname === '/' && req.method === 'GET') {
      const page = frontendPage();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) });
      return res.end(page);
    }
    // One product, read from the database on every request (never cached), public like the
    // catalogue's pages and outside the rate limit: the path that shows users a database outage.
    const product = /^\/api\/catalog\/(\d+)$/.exec(url.pathname);
    if (product && req.method === 'GET') {
      if (!db) return json(res, 503, { error: 'no database configured' });
      try {
        const row = (
          await db.query<{ id: number; name: string; priceCents: number }>(
            'select id, name, price_cents as "priceCents" from items where id = $1',
            [Number(product[1])],
          )
        ).rows[0];
        return row ? json(res, 200, row) : json(res, 404, { error: `no product ${product[1]}` });
      } catch (err) {
        return json(res, 503, { error: `database unavailable: ${(err as Error).message}` });
      }
    }
    if (await limited(req, res)) return;
    if (url.pathname === '/login' && req.method === 'POST') {
      let body: { username?: string; password?: string };
      try {
        body = JSON.parse(await readBody(req)) as typeof body;
      } catch {
        return json(res, 400, { error: 'expected a JSON body {username, password}' });
      }
      const valid = db
        ? await checkPassword(db, body.username ?? '', body.password ?? '')
        : body.username === 'demo' && body.password === opts.password;
      if (!valid) return json(res, 401, { error: 'invalid credentials' });
      const token = await new SignJWT({ role: 'viewer' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('demo')
        .setIssuedAt()
        .setExpirationTime('15m')
        .sign(key);
      return json(res, 200, { token, expiresIn: 900 });
    }
    if (url.pathname === '/api/items' && req.method === 'GET') {
      if (!(await user(req)))
        return json(res, 401, { error: 'missing or invalid bearer token' }, { 'www-authenticate': 'Bearer' });
      const list = await listItems();
      return json(res, 200, { items: list.items, count: list.items.length }, { 'x-cache': list.cache });
    }
    if (url.pathname === '/api/catalog' && req.method === 'GET') {
      const list = await listItems();
      return json(res, 200, { items: list.items }, { 'x-cache': list.cache });
    }
    if (url.pathname === '/graphql' && req.method === 'POST') {
      let body: { query?: string; variables?: Record<string, unknown>; operationName?: string };
      try {
        body = JSON.parse(await readBody(req)) as typeof body;
      } catch {
        return json(res, 400, { errors: [{ message: 'expected a JSON body' }] });
      }
      const result = await graphql({
        schema,
        source: body.query ?? '',
        rootValue: rootFor(listItems),
        variableValues: body.variables ?? null,
        operationName: body.operationName ?? null,
      });
      return json(res, 200, result);
    }
    json(res, 404, { error: `no route ${req.method} ${url.pathname}` });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cache?.disconnect();
      await db?.end();
    },
  };
}

// The native load core (native/loadcore) against the JavaScript worker on the same hostile
// target: every way an answer can be framed, broken or withheld must come out classified the
// same on both socket loops — same statuses, same error classes, same reasons — and the core must
// say why it refuses what it cannot run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { gauntlet, hasNoStackTrace, latestReport, project, yamlConfig } from './helpers.ts';
import { startPostgres, type LocalPostgres } from '../src/targets/local/postgres.ts';
import { startRedis, type LocalRedis } from '../src/targets/local/redis.ts';
import { execSql } from '../src/targets/pg.ts';
import { Redis } from 'ioredis';
import type { LoadResult } from '../src/record/schema.ts';

/** path → what the server writes back (a function for answers that need the socket). */
const ANSWERS: Record<string, (s: Socket) => void> = {
  '/ok': (s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'),
  '/chunked': (s) => {
    s.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel');
    setTimeout(() => s.write('lo\r\n3;ext=1\r\nabc\r\n0\r\ntrailer: x\r\n\r\n'), 2);
  },
  '/until-close': (s) => s.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nall of it'),
  '/malformed': (s) => s.write('HTPT/9.9 2OO <script>alert(1)</script>\r\n\r\n'),
  '/extra': (s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokSURPLUS'),
  '/continue': (s) => s.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'),
  '/error': (s) => s.write('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n'),
  '/limited': (s) => s.write('HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\n\r\n'),
  '/close': (s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok'),
  '/silent': () => {},
  '/cut': (s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part'),
  '/reset': (s) => s.resetAndDestroy(),
  '/head': (s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n'),
};
/** Redirects, answered by the same server (not part of the hostile mix above). */
const REDIRECTS: Record<string, (s: Socket) => void> = {
  '/redirect': (s) => s.write('HTTP/1.1 302 Found\r\nLocation: /error\r\ncontent-length: 0\r\n\r\n'),
  // Absolute, on the same origin, and the server closes: the next hop opens a new connection.
  '/moved': (s) =>
    s.end(
      `HTTP/1.1 301 Moved Permanently\r\nlocation: http://127.0.0.1:${s.localPort}/a/../ok?x=1\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
    ),
  '/away': (s) => s.write('HTTP/1.1 303 See Other\r\nlocation: https://example.com/\r\ncontent-length: 0\r\n\r\n'),
  '/ok?x=1': (s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'),
};

let server: Server;
let url: string;
let db: LocalPostgres;
let redis: LocalRedis;
beforeAll(async () => {
  [db, redis] = await Promise.all([startPostgres(), startRedis()]);
  await execSql(
    db.url,
    'create table t (id int primary key, v int); insert into t select g, g from generate_series(1, 100) g;',
  );
  server = createServer((s) => {
    let buf = '';
    s.on('error', () => {});
    s.on('data', (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const path = buf.slice(0, end).split(' ')[1] ?? '/';
        buf = buf.slice(end + 4);
        (ANSWERS[path] ?? REDIRECTS[path])?.(s);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all([db?.stop(), redis?.stop(), new Promise<void>((r) => server.close(() => r()))]);
});

const requests = Object.keys(ANSWERS)
  .map((p) => `  - { name: "${p.slice(1)}", path: "${p}"${p === '/head' ? ', method: HEAD' : ''} }`)
  .join('\n');
// Open model at a fixed rate: both cores send the same number of requests.
const PROFILE = `name: hostile
scenario: { executor: constant-arrival-rate, rate: 130, duration: 3s, preAllocatedVUs: 20 }
timeout: 400ms
gracefulStop: 1s
thresholds:
  http_req_failed: ['rate<0.01']
requests:
${requests}
`;

async function runOn(core: 'native' | 'js', profile = PROFILE): Promise<LoadResult> {
  const config = yamlConfig(url, '').replace(
    `baseUrl: ${JSON.stringify(url)}`,
    `baseUrl: ${JSON.stringify(url)}\n    postgres: { url: "\${env:DB_URL}" }\n    redis: { url: "\${env:REDIS_URL}" }`,
  );
  const dir = project({ 'gauntlet.config.yaml': config, 'p.yaml': profile });
  const env = { GAUNTLET_CORE: core, DB_URL: db.url, REDIS_URL: redis.url };
  const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env });
  expect(run.code, run.out).toBe(1); // http_req_failed's default threshold fails
  expect(hasNoStackTrace(run.out)).toBe(true);
  const load = (latestReport(dir).record as unknown as { load: LoadResult }).load;
  expect(load.generator!.core).toBe(core);
  return load;
}

describe('the native load core', () => {
  it('classifies every hostile answer exactly as the JavaScript worker does', async () => {
    const native = await runOn('native');
    const js = await runOn('js');
    for (const load of [native, js]) {
      expect(load.totals.requests).toBe(390);
      expect(load.totals.droppedIterations).toBe(0);
    }
    const shape = (l: LoadResult) =>
      Object.fromEntries(
        Object.entries(l.byName).map(([name, b]) => [
          name,
          {
            statuses: Object.keys(b.totals.statuses),
            errors: Object.keys(b.totals.errors),
            allFailed: b.totals.failed === b.totals.requests,
            noneFailed: b.totals.failed === 0,
          },
        ]),
      );
    expect(shape(native)).toEqual(shape(js));
    // And what that shape is, name by name.
    const s = shape(native);
    for (const ok of ['ok', 'chunked', 'until-close', 'extra', 'close', 'head'])
      expect(s[ok], ok).toEqual({ statuses: ['200'], errors: [], allFailed: false, noneFailed: true });
    expect(s.continue).toEqual({ statuses: ['204'], errors: [], allFailed: false, noneFailed: true });
    expect(s.error!.errors).toEqual(['http_5xx']);
    expect(s.limited!.errors).toEqual(['http_429']);
    expect(s.malformed).toEqual({ statuses: [], errors: ['other'], allFailed: true, noneFailed: false });
    expect(s.silent).toEqual({ statuses: [], errors: ['timeout'], allFailed: true, noneFailed: false });
    expect(s.cut).toEqual({ statuses: [], errors: ['reset'], allFailed: true, noneFailed: false });
    expect(s.reset!.errors).toEqual(['reset']);
    expect(native.errorReasons?.other).toBe(js.errorReasons?.other);
    expect(native.errorReasons?.other).toBe('malformed status line: "HTPT/9.9 2OO <script>alert(1)</script>"');
    // A request that got no answer is timed to its timeout, on both.
    for (const load of [native, js]) expect(load.byName.silent!.latency!.p50Ms).toBeGreaterThanOrEqual(400);
  });

  it('speaks PostgreSQL and Redis as the JavaScript clients do: the same classes, reasons and byte counts', async () => {
    const data = (requests: string) => `name: data
scenario: { executor: constant-arrival-rate, rate: 100, duration: 2s, preAllocatedVUs: 4 }
timeout: 2s
thresholds:
  http_req_failed: ['rate<0.01']
  db_query_failed: ['rate<0.01']
requests:
${requests}
`;
    const sql = data(`  - { name: ok, kind: postgres, sql: "select v from t where id = $1", params: [42] }
  - { name: div, kind: postgres, sql: "select 1 / ($1::int - 1)", params: [1] }
  - { name: slow, kind: postgres, sql: "select pg_sleep(0.3)", timeout: 100ms }
  - { name: nothing, kind: postgres, sql: "select v from t where id = $1", params: [null] }`);
    const shapeOf = (l: LoadResult) =>
      Object.fromEntries(
        Object.entries(l.byName).map(([name, b]) => [
          name,
          {
            errors: Object.keys(b.totals.errors),
            failed: b.totals.failed === b.totals.requests ? 'all' : b.totals.failed ? 'some' : 'none',
            bytesIn: b.totals.bytesIn / Math.max(1, b.totals.requests),
            bytesOut: b.totals.bytesOut,
          },
        ]),
      );
    const [pgNative, pgJs] = [await runOn('native', sql), await runOn('js', sql)];
    expect(shapeOf(pgNative)).toEqual(shapeOf(pgJs));
    expect(shapeOf(pgNative)).toEqual({
      ok: { errors: [], failed: 'none', bytesIn: 0, bytesOut: 0 },
      div: { errors: ['db_sqlstate_22'], failed: 'all', bytesIn: 0, bytesOut: 0 },
      slow: { errors: ['timeout'], failed: 'all', bytesIn: 0, bytesOut: 0 },
      nothing: { errors: [], failed: 'none', bytesIn: 0, bytesOut: 0 },
    });
    for (const cls of ['db_sqlstate_22', 'timeout']) expect(pgNative.errorReasons![cls]).toBe(pgJs.errorReasons![cls]);
    expect(pgNative.errorReasons!.db_sqlstate_22).toBe('division by zero');

    // A list made before the load: GET on it is always WRONGTYPE, whatever order the mix runs in
    // (an LPUSH in the mix made `k` a list until the next SET — a GET's outcome was a coin toss).
    const seed = new Redis(redis.url);
    await seed.rpush('list', 'x');
    seed.disconnect();
    const red = data(`  - { name: set, kind: redis, command: [SET, k, value] }
  - { name: get, kind: redis, command: [GET, k] }
  - { name: wrong, kind: redis, command: [GET, list] }`);
    const [rNative, rJs] = [await runOn('native', red), await runOn('js', red)];
    const redisShape = (l: LoadResult) =>
      Object.fromEntries(
        Object.entries(l.byName).map(([n, b]) => [
          n,
          { errors: Object.keys(b.totals.errors), failed: b.totals.failed > 0 },
        ]),
      );
    expect(redisShape(rNative)).toEqual(redisShape(rJs));
    expect(rNative.byName.wrong!.totals.errors).toEqual({ redis_wrongtype: rNative.byName.wrong!.totals.requests });
    expect(rNative.errorReasons!.redis_wrongtype).toBe(rJs.errorReasons!.redis_wrongtype);
    // "OK" is 2 bytes, "value" 5 (a GET before the first SET finds nothing: 0).
    expect(rNative.byName.set!.totals.bytesIn).toBe(2 * rNative.byName.set!.totals.requests);
    expect(rJs.byName.set!.totals.bytesIn).toBe(2 * rJs.byName.set!.totals.requests);
  });

  it('follows redirects, and judges what is still in flight at the stop, exactly as the JavaScript worker does', async () => {
    const profile = `name: redirects
scenario: { executor: constant-arrival-rate, rate: 40, duration: 2s, preAllocatedVUs: 30 }
timeout: 10s
gracefulStop: 1s
thresholds:
  http_req_failed: ['rate<0.01']
requests:
  - { name: redirect, path: /redirect }
  - { name: moved, path: /moved }
  - { name: away, path: /away }
  - { name: silent, path: /silent }
`;
    const native = await runOn('native', profile);
    const js = await runOn('js', profile);
    const shape = (l: LoadResult) =>
      Object.fromEntries(
        Object.entries(l.byName).map(([name, b]) => [
          name,
          {
            statuses: b.totals.statuses,
            errors: b.totals.errors,
            // Bytes sent per request: the request and, when followed, each hop's.
            bytesOut: b.totals.bytesOut / b.totals.requests,
          },
        ]),
      );
    for (const load of [native, js]) {
      expect(load.totals.requests).toBe(80); // every arrival judged, the hung ones too
      const n = (name: string) => load.byName[name]!.totals.requests;
      expect(shape(load)).toEqual({
        redirect: {
          statuses: { 503: n('redirect') },
          errors: { http_5xx: n('redirect') },
          bytesOut: expect.any(Number),
        },
        moved: { statuses: { 200: n('moved') }, errors: {}, bytesOut: expect.any(Number) },
        away: { statuses: { 303: n('away') }, errors: { http_other: n('away') }, bytesOut: expect.any(Number) },
        silent: { statuses: {}, errors: { timeout: n('silent') }, bytesOut: expect.any(Number) },
      });
      // Hung since their send, judged at the end of the grace (3 s): at least the grace each.
      expect(load.byName.silent!.latency!.p50Ms).toBeGreaterThanOrEqual(1000);
      expect(load.byName.silent!.latency!.p99Ms).toBeLessThan(3500);
    }
    const perRequest = (l: LoadResult) => Object.fromEntries(Object.entries(shape(l)).map(([k, v]) => [k, v.bytesOut]));
    expect(perRequest(native)).toEqual(perRequest(js));
    expect(perRequest(native).redirect).toBeGreaterThan(perRequest(native).silent!); // the hop was sent
    expect(native.errorReasons?.http_other).toBe(js.errorReasons?.http_other);
    expect(native.errorReasons?.http_other).toBe(
      'a redirect to another origin (https://example.com), which the load engine does not follow',
    );
    expect(native.errorReasons?.timeout).toBe(js.errorReasons?.timeout);
    expect(native.errorReasons?.timeout).toBe("no answer by the end of gracefulStop (1000 ms after the load's end)");
  });

  it('GAUNTLET_CORE=native on what the core cannot run: one line saying why, exit 2', async () => {
    const dir = project({ 'gauntlet.config.yaml': yamlConfig(url), 'p.yaml': `${PROFILE}thinkTime: 10ms\n` });
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: { GAUNTLET_CORE: 'native' } });
    expect(run.out).toContain('p.yaml: GAUNTLET_CORE=native: the profile has think time');
    expect(run.out).not.toContain('load:'); // refused before any load
    expect(hasNoStackTrace(run.out)).toBe(true);
    expect(run.code, run.out).toBe(2);
    const bad = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: { GAUNTLET_CORE: 'rust' } });
    expect(bad.out).toContain('GAUNTLET_CORE=rust: expected native, js or auto (the default)');
    expect(bad.code, bad.out).toBe(2);
  });
});

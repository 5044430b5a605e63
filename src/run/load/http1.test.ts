// The load engine's HTTP/1.1 client against real sockets on loopback, each server sending one
// shape of response byte for byte: chunked (split anywhere), close-delimited, 1xx before the
// final answer, HEAD, Connection: close, and bytes nobody asked for.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Connection, redirectRequest, serialiseRequest, type Outcome } from './http1.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server that answers each request (one per `\r\n\r\n`) with `respond(socket, n)`. */
async function raw(respond: (socket: Socket, n: number) => void): Promise<number> {
  const server = createServer((socket) => {
    let pending = '';
    let n = 0;
    socket.on('data', (d) => {
      pending += d.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
        respond(socket, n++);
      }
    });
    socket.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const send = (c: Http1Connection, method = 'GET') =>
  new Promise<Outcome>((resolve) =>
    c.send(serialiseRequest({ method, path: '/', headers: {} }, '127.0.0.1'), method !== 'HEAD', resolve),
  );

/** Writes `parts` one at a time, a few ms apart: every split point a parser must survive. */
function dribble(socket: Socket, parts: string[], then?: () => void): void {
  const [head, ...rest] = parts;
  if (head === undefined) return void then?.();
  socket.write(head);
  setTimeout(() => dribble(socket, rest, then), 3);
}

describe('HTTP/1.1 responses the load engine must read right', () => {
  it('a chunked body split inside sizes, data and the final CRLF, with trailers; the connection is reused', async () => {
    const port = await raw((s) =>
      dribble(s, [
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
        '5\r',
        '\nhel',
        'lo\r\n1',
        '0\r\n0123456789ABCDEF\r\n0\r\n',
        'X-Trailer: 1\r\n',
        '\r\n',
      ]),
    );
    const c = new Http1Connection('127.0.0.1', port);
    const first = await send(c);
    expect(first).toMatchObject({ status: 200 });
    expect(first.error).toBeUndefined();
    const second = await send(c);
    expect(second).toMatchObject({ status: 200 });
    c.close();
  });

  it('a body delimited by the close of the connection ends at the close, not before', async () => {
    const port = await raw((s) =>
      dribble(s, ['HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n', 'part one ', 'part two'], () => s.end()),
    );
    const c = new Http1Connection('127.0.0.1', port);
    const t0 = performance.now();
    const o = await send(c);
    expect(o).toMatchObject({ status: 200 });
    expect(o.bytesIn).toBeGreaterThan('part one part two'.length);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(5);
  });

  it('1xx interim responses (100, 103) are skipped: the final status is what counts', async () => {
    const port = await raw((s) =>
      dribble(s, [
        'HTTP/1.1 100 Continue\r\n\r\n',
        'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n',
        'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
      ]),
    );
    const c = new Http1Connection('127.0.0.1', port);
    expect(await send(c)).toMatchObject({ status: 201 });
    c.close();
  });

  it('HEAD has no body even with a Content-Length; the next request on the connection is read right', async () => {
    const port = await raw((s, n) =>
      s.write(n === 0 ? 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' : 'HTTP/1.1 204 No Content\r\n\r\n'),
    );
    const c = new Http1Connection('127.0.0.1', port);
    expect(await send(c, 'HEAD')).toMatchObject({ status: 200 });
    expect(await send(c)).toMatchObject({ status: 204 });
    c.close();
  });

  it('Connection: close is honoured: the next request opens a new connection', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'));
      socket.on('error', () => {});
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const c = new Http1Connection('127.0.0.1', (server.address() as AddressInfo).port);
    expect(await send(c)).toMatchObject({ status: 200 });
    expect(await send(c)).toMatchObject({ status: 200 });
    expect(connections).toBe(2);
    c.close();
  });

  it('bytes after the response (pipelined garbage) drop the connection rather than poison the next answer', async () => {
    let connections = 0;
    let n = 0;
    const server = createServer((socket) => {
      connections++;
      socket.on('data', () => {
        socket.write(
          n++ === 0
            ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 500 Stray\r\nContent-Length: 0\r\n\r\n'
            : 'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n',
        );
      });
      socket.on('error', () => {});
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const c = new Http1Connection('127.0.0.1', (server.address() as AddressInfo).port);
    expect(await send(c)).toMatchObject({ status: 200 });
    expect(await send(c)).toMatchObject({ status: 202 });
    expect(connections).toBe(2);
    c.close();
  });

  it('header names in any case, Content-Length with spaces; a malformed status line is an error, not a status', async () => {
    const port = await raw((s, n) =>
      s.write(n === 0 ? 'HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh:   3\r\n\r\nabc' : 'garbage\r\n\r\n'),
    );
    const c = new Http1Connection('127.0.0.1', port);
    expect(await send(c)).toMatchObject({ status: 200, bytesIn: expect.any(Number) });
    expect(await send(c)).toMatchObject({ status: 0, error: 'other' });
    c.close();
  });
});

describe('redirects, as Go’s client (k6) follows them', () => {
  const origin = { https: false, host: '127.0.0.1', port: 8080 };
  const post = serialiseRequest(
    {
      method: 'POST',
      path: '/app/login?x=1',
      headers: { 'content-type': 'application/json', a: 'b' },
      body: '{"u":1}',
    },
    '127.0.0.1:8080',
  );
  const text = (r: ReturnType<typeof redirectRequest>) => ('bytes' in r ? r.bytes.toString('latin1') : r.refused);

  it('the parser hands a redirect’s Location to the caller, and only a redirect’s', async () => {
    const port = await raw((s, n) =>
      s.write(
        n === 0
          ? 'HTTP/1.1 302 Found\r\nLOCATION:  /error \r\nContent-Length: 0\r\n\r\n'
          : 'HTTP/1.1 200 OK\r\nLocation: /ignored\r\nContent-Length: 0\r\n\r\n',
      ),
    );
    const c = new Http1Connection('127.0.0.1', port);
    expect(await send(c)).toMatchObject({ status: 302, location: '/error' });
    expect((await send(c)).location).toBeUndefined();
    c.close();
  });

  it('302 and 303 turn a POST into a GET without its body; 307 and 308 repeat it; HEAD stays HEAD', () => {
    for (const status of [301, 302, 303])
      expect(text(redirectRequest(post, status, '/error', origin))).toBe(
        'GET /error HTTP/1.1\r\nhost: 127.0.0.1:8080\r\na: b\r\nuser-agent: gauntlet\r\n\r\n',
      );
    expect(text(redirectRequest(post, 307, 'next?y=2#frag', origin))).toBe(
      'POST /app/next?y=2 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\ncontent-type: application/json\r\na: b\r\nuser-agent: gauntlet\r\ncontent-length: 7\r\n\r\n{"u":1}',
    );
    const head = serialiseRequest({ method: 'HEAD', path: '/', headers: {} }, '127.0.0.1:8080');
    const r = redirectRequest(head, 302, 'http://127.0.0.1:8080/a/../b', origin);
    expect(r).toMatchObject({ expectBody: false });
    expect(text(r)).toMatch(/^HEAD \/b HTTP\/1\.1\r\n/);
  });

  it('another scheme, host or port, or a Location that is no URL, is refused with why', () => {
    const get = serialiseRequest({ method: 'GET', path: '/', headers: {} }, '127.0.0.1:8080');
    expect(text(redirectRequest(get, 302, 'http://example.com/x', origin))).toBe(
      'a redirect to another origin (http://example.com), which the load engine does not follow',
    );
    expect(text(redirectRequest(get, 302, 'https://127.0.0.1:8080/', origin))).toMatch(/another origin/);
    expect(text(redirectRequest(get, 302, '//127.0.0.1:9/', origin))).toMatch(/another origin/);
    expect(text(redirectRequest(get, 302, 'http://127.0.0.1:99999/', origin))).toBe(
      'a redirect to "http://127.0.0.1:99999/", which is not a URL',
    );
    expect(text(redirectRequest(get, 301, 'HTTP://127.0.0.1:8080/same', origin))).toMatch(/^GET \/same HTTP/);
  });
});

// websocket check: connect within a timeout, send, expect a matching message before a deadline,
// close cleanly (a close frame answered), every stage bounded in time.
import WebSocket from 'ws';
import type { WebsocketCheck } from '../../../config/suite.ts';
import type { Expectation } from '../../../record/schema.ts';
import { formatMs } from '../../../core/duration.ts';
import { truncate } from '../../../core/redact.ts';
import { expectBody, expectSchema, match } from '../expect.ts';
import { resolveUrl } from '../exchange.ts';
import { fillTemplate, type Attempt, type CheckContext } from '../context.ts';

const CLOSE_TIMEOUT_MS = 2000;

export async function websocketCheck(check: WebsocketCheck, ctx: CheckContext): Promise<Attempt> {
  const url = resolveUrl(ctx.env.baseUrl, fillTemplate(check.path, ctx.vars)).replace(/^http/, 'ws');
  const headers = fillTemplate({ ...ctx.env.headers, ...check.headers }, ctx.vars);
  const sent = check.send === undefined ? undefined : typeof check.send === 'string' ? fillTemplate(check.send, ctx.vars) : JSON.stringify(fillTemplate(check.send, ctx.vars));
  const started = performance.now();
  const exchange = (received?: string) => ({
    request: { method: 'GET (upgrade)', url, headers, ...(sent !== undefined ? { body: sent } : {}) },
    ...(received !== undefined ? { response: { status: 101, headers: {}, bodyExcerpt: truncate(received, 2048), bodyBytes: Buffer.byteLength(received), truncated: false } } : {}),
  });
  const fail = (reason: string, received?: string): Attempt => ({ expectations: [], durationMs: performance.now() - started, reason, exchange: exchange(received) });

  const socket = new WebSocket(url, { headers, handshakeTimeout: check.connectTimeout });
  const opened = await new Promise<string | undefined>((resolve) => {
    const onAbort = () => resolve('interrupted');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('open', () => resolve(undefined));
    socket.once('unexpected-response', (_req, res) => resolve(`server answered HTTP ${res.statusCode} instead of upgrading to WebSocket`));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(
      err.code === 'ECONNREFUSED' ? `connection refused by ${new URL(url).host} (ECONNREFUSED)`
        : /handshake/i.test(err.message) ? `no WebSocket handshake within ${formatMs(check.connectTimeout)} (timed out)`
        : `connect failed: ${err.message}`));
  });
  if (opened) {
    socket.terminate();
    return fail(opened);
  }

  const want = check.expect;
  const matches = (text: string): Expectation[] => {
    const out: Expectation[] = [];
    if (want.equals !== undefined || want.matches !== undefined) {
      out.push(...match('message', text, true, { ...(want.equals !== undefined ? { equals: want.equals } : {}), ...(want.matches !== undefined ? { matches: want.matches } : {}) }));
    }
    if (want.json || want.body) {
      try {
        const json: unknown = JSON.parse(text);
        out.push(...expectSchema(json, want.json), ...expectBody(json, want.body));
      } catch {
        out.push({ what: 'message is JSON', ok: false, actual: JSON.stringify(text.slice(0, 60)) });
      }
    }
    return out;
  };

  const expectsMessage = sent !== undefined || [want.equals, want.matches, want.json, want.body].some((v) => v !== undefined);
  const received = !expectsMessage ? {} : await new Promise<{ text?: string; last?: string; expectations?: Expectation[]; reason?: string }>((resolve) => {
    let last: string | undefined;
    const timer = setTimeout(() => resolve({ ...(last !== undefined ? { last } : {}), reason: `no matching message within ${formatMs(want.within)}${last !== undefined ? ` (last received ${JSON.stringify(last.slice(0, 80))})` : ' (nothing received)'}` }), want.within);
    socket.on('message', (data) => {
      last = data.toString();
      const exps = matches(last);
      if (exps.every((e) => e.ok)) {
        clearTimeout(timer);
        resolve({ text: last, expectations: exps });
      }
    });
    socket.once('close', (code) => {
      clearTimeout(timer);
      resolve({ reason: `server closed the connection (code ${code}) before a matching message` });
    });
    if (sent !== undefined) socket.send(sent);
  });
  if (received.reason) {
    socket.terminate();
    return fail(received.reason, received.last);
  }

  const closedCleanly = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS);
    socket.once('close', (code) => {
      clearTimeout(timer);
      resolve(code === 1000);
    });
    socket.close(1000, 'gauntlet smoke done');
  });
  if (!closedCleanly) socket.terminate();
  const durationMs = performance.now() - started;
  return {
    expectations: [
      { what: `connected within ${formatMs(check.connectTimeout)}`, ok: true },
      ...(received.expectations ?? []),
      { what: 'closed cleanly (1000)', ok: closedCleanly },
    ],
    durationMs,
    exchange: exchange(received.text),
    response: { text: received.text ?? '', headers: {} },
  };
}

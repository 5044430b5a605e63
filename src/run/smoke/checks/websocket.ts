// websocket check: connect within a timeout, then a conversation on that one connection — each
// step sends (text, JSON or binary) and waits for its message before its own deadline, among the
// messages that arrived after its send (a step without a send takes any not yet read); the first
// step that does not hold fails the check, named — then close cleanly, every stage bounded.
import WebSocket from 'ws';
import type { WebsocketCheck } from '../../../config/suite.ts';
import type { Expectation } from '../../../record/schema.ts';
import { formatMs } from '../../../core/duration.ts';
import { truncate } from '../../../core/redact.ts';
import { expectBody, expectSchema, match } from '../expect.ts';
import { resolveUrl } from '../exchange.ts';
import { connectOptionsOf, tlsOptionsOf } from '../../../targets/tls.ts';
import { fillTemplate, type Attempt, type CheckContext } from '../context.ts';

const CLOSE_TIMEOUT_MS = 2000;

export async function websocketCheck(check: WebsocketCheck, ctx: CheckContext): Promise<Attempt> {
  const url = resolveUrl(ctx.env.baseUrl, fillTemplate(check.path, ctx.vars)).replace(/^http/, 'ws');
  const headers = fillTemplate({ ...ctx.env.headers, ...check.headers }, ctx.vars);
  const sent =
    check.send === undefined
      ? undefined
      : typeof check.send === 'string'
        ? fillTemplate(check.send, ctx.vars)
        : JSON.stringify(fillTemplate(check.send, ctx.vars));
  const started = performance.now();
  const exchange = (received?: string) => ({
    request: { method: 'GET (upgrade)', url, headers, ...(sent !== undefined ? { body: sent } : {}) },
    ...(received !== undefined
      ? {
          response: {
            status: 101,
            headers: {},
            bodyExcerpt: truncate(received, 2048),
            bodyBytes: Buffer.byteLength(received),
            truncated: false,
          },
        }
      : {}),
  });
  const fail = (reason: string, received?: string): Attempt => ({
    expectations: [],
    durationMs: performance.now() - started,
    reason,
    exchange: exchange(received),
  });

  // wss: the run's one trust and client certificate, as every other path to the target has them.
  const tls = url.startsWith('wss:') ? connectOptionsOf(tlsOptionsOf(ctx.env)) : {};
  const socket = new WebSocket(url, { headers, handshakeTimeout: check.connectTimeout, ...tls });
  const opened = await new Promise<string | undefined>((resolve) => {
    const onAbort = () => resolve('interrupted');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('open', () => resolve(undefined));
    socket.once('unexpected-response', (_req, res) =>
      resolve(`server answered HTTP ${res.statusCode} instead of upgrading to WebSocket`),
    );
    socket.once('error', (err: NodeJS.ErrnoException) =>
      resolve(
        err.code === 'ECONNREFUSED'
          ? `connection refused by ${new URL(url).host} (ECONNREFUSED)`
          : /handshake/i.test(err.message)
            ? `no WebSocket handshake within ${formatMs(check.connectTimeout)} (timed out)`
            : `connect failed: ${err.message}`,
      ),
    );
  });
  if (opened) {
    socket.terminate();
    return fail(opened);
  }

  // One conversation on one connection: the single send/expect form is a one-step conversation.
  type Step = NonNullable<WebsocketCheck['steps']>[number];
  const expectsMessage =
    sent !== undefined ||
    [check.expect.equals, check.expect.matches, check.expect.base64, check.expect.json, check.expect.body].some(
      (v) => v !== undefined,
    );
  const steps: Step[] = check.steps ?? [
    { ...(check.send !== undefined ? { send: check.send } : {}), ...(expectsMessage ? { expect: check.expect } : {}) },
  ];

  const matches = (
    want: NonNullable<Step['expect']>,
    m: { text: string; binary: boolean; bytes: Buffer },
  ): Expectation[] => {
    const out: Expectation[] = [];
    if (want.base64 !== undefined)
      out.push({
        what: 'message bytes equal',
        ok: m.binary && m.bytes.equals(Buffer.from(want.base64, 'base64')),
        expected: want.base64,
        actual: m.bytes.toString('base64'),
      });
    if (want.equals !== undefined || want.matches !== undefined) {
      out.push(
        ...match('message', m.text, true, {
          ...(want.equals !== undefined ? { equals: want.equals } : {}),
          ...(want.matches !== undefined ? { matches: want.matches } : {}),
        }),
      );
    }
    if (want.json || want.body) {
      try {
        const json: unknown = JSON.parse(m.text);
        out.push(...expectSchema(json, want.json), ...expectBody(json, want.body));
      } catch {
        out.push({ what: 'message is JSON', ok: false, actual: JSON.stringify(m.text.slice(0, 60)) });
      }
    }
    return out;
  };

  // Every message is queued as it arrives; each step consumes the queue up to its match.
  const queue: { text: string; binary: boolean; bytes: Buffer }[] = [];
  let wake: (() => void) | undefined;
  let closedCode: number | undefined;
  socket.on('message', (data, isBinary) => {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    queue.push({ text: bytes.toString(), binary: isBinary, bytes });
    wake?.();
  });
  socket.once('close', (code) => {
    closedCode = code;
    wake?.();
  });

  const expectations: Expectation[] = [{ what: `connected within ${formatMs(check.connectTimeout)}`, ok: true }];
  let lastText: string | undefined;
  for (const [i, step] of steps.entries()) {
    const label = steps.length > 1 || check.steps ? `step ${i + 1}${step.name ? ` (${step.name})` : ''}: ` : '';
    if (step.send !== undefined || step.sendBinary !== undefined) {
      const out =
        step.sendBinary !== undefined
          ? Buffer.from(step.sendBinary, 'base64')
          : typeof step.send === 'string'
            ? fillTemplate(step.send, ctx.vars)
            : JSON.stringify(fillTemplate(step.send, ctx.vars));
      if (closedCode !== undefined) {
        socket.terminate();
        return fail(`${label}server closed the connection (code ${closedCode}) before this step could send`, lastText);
      }
      // A step's expectation is about the answer to its send: what arrived before it cannot satisfy it.
      queue.length = 0;
      socket.send(out, { binary: step.sendBinary !== undefined });
    }
    const want = step.expect;
    if (!want) continue;
    const deadline = performance.now() + want.within;
    let found: Expectation[] | undefined;
    while (!found) {
      const m = queue.shift();
      if (m) {
        lastText = m.text;
        const exps = matches(want, m);
        if (exps.every((e) => e.ok)) found = exps;
        continue;
      }
      if (closedCode !== undefined) {
        socket.terminate();
        return fail(`${label}server closed the connection (code ${closedCode}) before a matching message`, lastText);
      }
      const left = deadline - performance.now();
      if (left <= 0 || ctx.signal.aborted) {
        socket.terminate();
        const seen =
          lastText !== undefined ? ` (last received ${JSON.stringify(lastText.slice(0, 80))})` : ' (nothing received)';
        return fail(`${label}no matching message within ${formatMs(want.within)}${seen}`, lastText);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      });
    }
    expectations.push(...found.map((e) => ({ ...e, what: `${label}${e.what}` })));
  }
  const received = { text: lastText };

  const closedCleanly =
    closedCode !== undefined
      ? closedCode === 1000
      : await new Promise<boolean>((resolve) => {
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
    expectations: [...expectations, { what: 'closed cleanly (1000)', ok: closedCleanly }],
    durationMs,
    exchange: exchange(received.text),
    response: { text: received.text ?? '', headers: {} },
  };
}

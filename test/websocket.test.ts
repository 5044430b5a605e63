// WebSocket conversations on one connection against a real ws server on loopback: an echo that
// drops every third message fails on the step that lost it, named; binary frames and JSON too.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { gauntlet, latestReport, project } from './helpers.ts';

let wss: WebSocketServer;
let url: string;
beforeAll(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', r));
  url = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  wss.on('connection', (socket) => {
    let n = 0;
    socket.on('message', (data, isBinary) => {
      // Every third message on a connection is lost; JSON gets an answer, binary is echoed as binary.
      if (++n % 3 === 0) return;
      const text = data.toString();
      if (!isBinary && text.startsWith('{')) socket.send(JSON.stringify({ ok: true, got: JSON.parse(text) }));
      else socket.send(data, { binary: isBinary });
    });
  });
});
afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise((r) => wss.close(r));
});

const config = () => `environments:\n  t: { baseUrl: "${url}" }\nsmoke: ["smoke/*.smoke.yaml"]\n`;

describe('websocket conversations', () => {
  it('two steps that hold pass; text, JSON and binary frames on one connection', async () => {
    const dir = project({
      'gauntlet.config.yaml': config(),
      'smoke/ws.smoke.yaml': `name: ws\nchecks:\n  - kind: websocket\n    name: chat\n    path: /\n    steps:\n      - { name: json, send: { hello: 1 }, expect: { body: [{ path: "$.got.hello", equals: 1 }], within: 1s } }\n      - { name: bytes, sendBinary: "AAEC/w==", expect: { base64: "AAEC/w==", within: 1s } }\n`,
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code, run.out).toBe(0);
  });

  it('an echo that drops every third message fails on step 3, named, though separate checks would all pass', async () => {
    const dir = project({
      'gauntlet.config.yaml': config(),
      'smoke/ws.smoke.yaml': `name: ws\nchecks:\n  - kind: websocket\n    name: echo\n    path: /\n    steps:\n      - { send: one, expect: { equals: one, within: 500ms } }\n      - { send: two, expect: { equals: two, within: 500ms } }\n      - { name: third, send: three, expect: { equals: three, within: 500ms } }\n      - { send: four, expect: { equals: four, within: 500ms } }\n`,
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code).toBe(1);
    const c = latestReport(dir).record.checks[0]!;
    expect(c.status).toBe('failed');
    expect(c.reason).toBe('step 3 (third): no matching message within 500 ms (last received "two")');
  });
});

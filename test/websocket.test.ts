// WebSocket conversations on one connection against a real ws server on loopback: an echo that
// drops every third message fails on the step that lost it, named; binary frames and JSON too.
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { gauntlet, latestReport, project } from './helpers.ts';

let wss: WebSocketServer;
let url: string;
// A status service that pushes unsolicited news: on "subscribe" it answers "subscribed" and, in the
// same TCP write (so the client has it before its next send), an unsolicited "status: up"; asked
// "status?", it answers "status: down".
let pushing: WebSocketServer;
let pushingUrl: string;
const frame = (text: string) => Buffer.concat([Buffer.from([0x81, Buffer.byteLength(text)]), Buffer.from(text)]);
beforeAll(async () => {
  pushing = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => pushing.once('listening', r));
  pushingUrl = `http://127.0.0.1:${(pushing.address() as AddressInfo).port}`;
  pushing.on('connection', (socket) => {
    socket.on('message', (data) => {
      const raw = (socket as unknown as { _socket: Socket })._socket;
      if (data.toString() === 'subscribe') raw.write(Buffer.concat([frame('subscribed'), frame('status: up')]));
      else if (data.toString() === 'status?') socket.send('status: down');
    });
  });
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
  for (const server of [wss, pushing]) {
    for (const c of server.clients) c.terminate();
    await new Promise((r) => server.close(r));
  }
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

  it('a message that arrived before a step sent cannot satisfy that step: only the answer to its send counts', async () => {
    const dir = project({
      'gauntlet.config.yaml': `environments:\n  t: { baseUrl: "${pushingUrl}" }\nsmoke: ["smoke/*.smoke.yaml"]\n`,
      'smoke/ws.smoke.yaml': `name: ws\nchecks:\n  - kind: websocket\n    name: status\n    path: /\n    steps:\n      - { name: subscribe, send: subscribe, expect: { equals: subscribed, within: 1s } }\n      - { name: ask, send: "status?", expect: { equals: "status: up", within: 500ms } }\n`,
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code, run.out).toBe(1);
    const c = latestReport(dir).record.checks[0]!;
    expect(c.status).toBe('failed');
    expect(c.reason).toBe('step 2 (ask): no matching message within 500 ms (last received "status: down")');
  });

  it('a step without a send still takes the message pushed before it', async () => {
    const dir = project({
      'gauntlet.config.yaml': `environments:\n  t: { baseUrl: "${pushingUrl}" }\nsmoke: ["smoke/*.smoke.yaml"]\n`,
      'smoke/ws.smoke.yaml': `name: ws\nchecks:\n  - kind: websocket\n    name: status\n    path: /\n    steps:\n      - { name: subscribe, send: subscribe, expect: { equals: subscribed, within: 1s } }\n      - { name: pushed, expect: { equals: "status: up", within: 500ms } }\n`,
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code, run.out).toBe(0);
  });
});

// Webhook notifications against a local receiver: posted on failure (not on success unless
// asked), Slack-compatible, the URL a secret that never reaches the console or the reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gauntlet, latestReport, project } from './helpers.ts';

let receiver: Server;
let base: string;
const received: { path: string; body: { text: string; blocks: { type: string; text?: { text: string } }[] } }[] = [];
beforeAll(async () => {
  // Also the smoke target: GET answers 200; POSTs are the notifications.
  receiver = createServer((req, res) => {
    if (req.method === 'GET') return void res.writeHead(200).end('ok');
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url?.includes('broken')) res.writeHead(500).end();
      else {
        received.push({ path: req.url!, body: JSON.parse(body) });
        res.writeHead(200).end('ok');
      }
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

const config = (on = 'failure') =>
  `environments:\n  t: { baseUrl: "${'${env:TARGET}'}" }\nsmoke: ["s.yaml"]\nnotify: { webhook: { url: "\${env:HOOK}", on: ${on} } }\n`;
const suite = (status: number) =>
  `name: api\nchecks:\n  - { kind: http, name: health, path: /, expect: { status: ${status} } }\n`;

describe('webhook notifications', () => {
  it('a failed run posts a Slack-compatible message naming the failing verdict; the URL is redacted everywhere', async () => {
    const dir = project({ 'gauntlet.config.yaml': config(), 's.yaml': suite(418) });
    const hook = `${base}/hooks/T000/B000/secret-token-123`;
    const run = await gauntlet(['smoke'], { cwd: dir, env: { TARGET: base, HOOK: hook } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('notify: webhook notified');
    const msg = received.find((r) => r.path === '/hooks/T000/B000/secret-token-123')!;
    expect(msg.body.text).toMatch(/^:x: Gauntlet smoke FAILED on t \(exit 1\)$/);
    expect(msg.body.blocks.map((b) => b.text?.text ?? '').join('\n')).toContain('*smoke* (fail)');
    const a = latestReport(dir);
    for (const text of [run.out, a.runJson, a.html, a.junit, a.summary]) expect(text).not.toContain('secret-token-123');
  });

  it('a passing run posts nothing unless on: always', async () => {
    const before = received.length;
    const dir = project({ 'gauntlet.config.yaml': config(), 's.yaml': suite(200) });
    const run = await gauntlet(['smoke'], { cwd: dir, env: { TARGET: base, HOOK: `${base}/hooks/quiet` } });
    expect(run.code).toBe(0);
    expect(received.length).toBe(before);
    const always = project({ 'gauntlet.config.yaml': config('always'), 's.yaml': suite(200) });
    const run2 = await gauntlet(['smoke'], { cwd: always, env: { TARGET: base, HOOK: `${base}/hooks/always` } });
    expect(run2.code).toBe(0);
    expect(received.at(-1)!.body.text).toMatch(/^:white_check_mark: Gauntlet smoke PASSED/);
  });

  it('a receiver that fails is a warning, never a changed verdict; an inline URL is a config error', async () => {
    const dir = project({ 'gauntlet.config.yaml': config(), 's.yaml': suite(418) });
    const run = await gauntlet(['smoke'], { cwd: dir, env: { TARGET: base, HOOK: `${base}/broken` } });
    expect(run.code).toBe(1);
    expect(run.out).toContain('warning: notify: no notification sent: the webhook answered 500');
    const inline = project({
      'gauntlet.config.yaml': config().replace('${env:HOOK}', 'https://hooks.example.com/x'),
      's.yaml': suite(200),
    });
    const bad = await gauntlet(['validate'], { cwd: inline, env: { TARGET: base } });
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('a webhook URL is a secret: reference it as ${env:NAME}, never inline');
  });
});

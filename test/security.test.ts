// Secrets never reach console or artifacts; text from the target cannot run script in the report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { allArtifactText, gauntlet, latestReport, project, server, yamlConfig } from './helpers.ts';

const API_KEY = 'sk_live_4f9a8b7c6d5e';
const DB_PASSWORD = 'pg-Pa55-w0rd-91';
const TOKEN = 'tok_9e8d7c6b5a4f3e2d1c0b';

let target: Awaited<ReturnType<typeof server>>;
beforeAll(async () => {
  target = await server((req, res) => {
    if (req.url === '/login') {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `session=${TOKEN}` });
      return res.end(JSON.stringify({ token: TOKEN }));
    }
    if (req.url === '/echo-auth') {
      // Reflects what it was sent, as careless servers do: the report must still not show it.
      res.writeHead(500, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ sawAuthorization: req.headers.authorization, sawKey: req.headers['x-api-key'] }));
    }
    if (req.url === '/xss') {
      res.writeHead(200, { 'content-type': 'text/html', 'x-evil': '<script>window.__pwned=1</script>' });
      return res.end(
        '<script>window.__pwned=2</script><img src=x onerror="window.__pwned=3"></textarea></pre></details><svg onload="window.__pwned=4">',
      );
    }
    res.end('{}');
  });
});
afterAll(() => target.close());

describe('secrets', () => {
  it('never appear in console output, run.json, HTML, JUnit or Markdown', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig(target.url).replace(
        `baseUrl: "${target.url}"`,
        `baseUrl: "${target.url}"\n    headers: { x-api-key: "\${env:API_KEY}" }\n    postgres: { url: "postgres://app:\${env:DB_PASSWORD}@127.0.0.1:5432/app" }`,
      ),
      'smoke/a.smoke.yaml': `name: s
checks:
  - kind: http
    name: login
    path: /login
    capture: { token: { jsonPath: $.token } }
  - kind: http
    name: reflects credentials
    path: /echo-auth
    headers: { authorization: "Bearer {{token}}" }
    expect: { body: [{ path: $.sawAuthorization, equals: "nope" }] }
`,
    });
    const run = await gauntlet(['smoke'], { cwd: dir, env: { API_KEY, DB_PASSWORD } });
    expect(run.code, run.out).toBe(1);
    const everything = run.out + allArtifactText(dir);
    for (const secret of [API_KEY, DB_PASSWORD, TOKEN]) expect(everything).not.toContain(secret);
    // The evidence is still there, redacted.
    expect(latestReport(dir).runJson).toContain('[redacted]');
    expect(run.stdout).toContain(
      'reflects credentials — expected status is 2xx, got 500; expected $.sawAuthorization equals "nope", got "Bearer [redacted]"',
    );
  });
});

describe('HTML escaping in real Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  });
  afterAll(() => browser?.close());

  it('a body with <script> and onerror handlers shows as text and runs nothing', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig(target.url),
      'smoke/a.smoke.yaml':
        'name: "<b>suite</b>"\nchecks:\n  - { kind: http, name: "<img src=x onerror=window.__pwned=5>", path: /xss, expect: { bodyContains: "never there" } }\n',
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code).toBe(1);
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(join(latestReport(dir).dir, 'index.html')).href);
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.locator('img, svg').count()).toBe(0);
    const text = await page.locator('main').textContent();
    expect(text).toContain('<script>window.__pwned=2</script>');
    expect(text).toContain('<img src=x onerror=window.__pwned=5>');
    // The embedded run record survives intact for tools.
    const embedded = await page.evaluate(
      () => JSON.parse(document.getElementById('gauntlet-run-record')!.textContent!) as { checks: { name: string }[] },
    );
    expect(embedded.checks[0]!.name).toBe('<img src=x onerror=window.__pwned=5>');
    await page.close();
  });
});

// playwright checks: users' own specs run by @playwright/test in Debian's Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { ROOT, gauntlet, latestReport, project, server } from './helpers.ts';
import { sleep } from '../src/core/sleep.ts';

const FIXTURE = join(ROOT, 'src', 'playwright.mjs');
let site: Awaited<ReturnType<typeof server>>;

const page = (body: string) =>
  `<!doctype html><html><head><link rel="icon" href="data:,"></head><body>${body}</body></html>`;
beforeAll(async () => {
  site = await server((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    switch (req.url) {
      case '/ok':
        return send(200, 'text/html', page('<h1 id="title">Shop</h1>'));
      case '/console-error':
        return send(
          200,
          'text/html',
          page('<h1 id="title">Shop</h1><script>console.error("boom: cart failed")</script>'),
        );
      case '/missing':
        return send(200, 'text/html', page('<h1>No title id here</h1>'));
      case '/api-fail':
        return send(200, 'text/html', page('<h1 id="title">Shop</h1><script>fetch("/api/cart")</script>'));
      case '/api/cart':
        return send(500, 'application/json', '{"error":"down"}');
      case '/never':
        return; // never answers
      default:
        return send(404, 'text/plain', 'not found');
    }
  });
});
afterAll(() => site.close());

const spec = (tests: string) =>
  `import { test, expect } from ${JSON.stringify(pathToFileURL(FIXTURE).href)};\n${tests}`;
const browserProject = (files: Record<string, string>, extra = '') =>
  project({
    'gauntlet.config.yaml': `environments:\n  test:\n    baseUrl: ${site.url}\nsmoke: ["smoke/*.smoke.yaml"]\n`,
    'smoke/ui.smoke.yaml': `name: ui\nchecks:\n  - { kind: playwright, name: browser, specs: ["*.spec.mjs"], timeout: 5s${extra} }\n`,
    ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`smoke/${k}`, v])),
  });

function orphanedChromiums(): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,comm=']).toString();
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p[1] === '1' && /chrom/.test(p[2] ?? ''))
    .map((p) => Number(p[0]));
}

describe('playwright check', () => {
  it('passes a good page; fails a console error, a missing element and a failed API call, each with a reason and a screenshot', async () => {
    const before = new Set(orphanedChromiums());
    const dir = browserProject({
      'shop.spec.mjs': spec(`
test('renders', async ({ page }) => { await page.goto('/ok'); await expect(page.locator('#title')).toHaveText('Shop'); });
test('console error', async ({ page }) => { await page.goto('/console-error'); await expect(page.locator('#title')).toBeVisible(); });
test('missing element', async ({ page }) => { await page.goto('/missing'); await expect(page.locator('#title')).toBeVisible({ timeout: 1000 }); });
test('failed API call', async ({ page }) => { await page.goto('/api-fail'); await page.waitForLoadState('networkidle'); });
`),
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code, run.out).toBe(1);
    expect(run.stdout).toContain('✓ ui › browser › shop.spec.mjs › renders');
    expect(run.stdout).toMatch(
      /✗ ui › browser › shop\.spec\.mjs › console error — Error: console error: boom: cart failed/,
    );
    expect(run.stdout).toMatch(
      /✗ ui › browser › shop\.spec\.mjs › missing element — Error: expect\(locator\)\.toBeVisible\(\) failed/,
    );
    expect(run.stdout).toMatch(
      /✗ ui › browser › shop\.spec\.mjs › failed API call — Error: .*API call failed: GET http:\/\/127\.0\.0\.1:\d+\/api\/cart → 500/,
    );
    expect(run.out).not.toMatch(/\u001b\[/); // ANSI stripped
    const a = latestReport(dir);
    const failed = (
      a.record.checks as { status: string; attachments?: { contentType: string; base64: string }[] }[]
    ).filter((c) => c.status === 'failed');
    expect(failed).toHaveLength(3);
    for (const c of failed) {
      expect(c.attachments?.[0]?.contentType).toBe('image/png');
      expect(Buffer.from(c.attachments![0]!.base64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    }
    // The HTML shows the screenshots, inline.
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
    try {
      const p = await browser.newPage();
      await p.goto(pathToFileURL(join(a.dir, 'index.html')).href);
      const shots = p.locator('img.shot');
      expect(await shots.count()).toBe(3);
      expect(await shots.first().evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);
    } finally {
      await browser.close();
    }
    // No browser outlives the run (its helper processes get a moment to exit).
    let left = orphanedChromiums().filter((p) => !before.has(p));
    for (let i = 0; i < 50 && left.length; i++) {
      await sleep(100);
      left = orphanedChromiums().filter((p) => !before.has(p));
    }
    expect(left).toEqual([]);
  });

  it('a spec with a syntax error fails clearly', async () => {
    const dir = browserProject({
      'broken.spec.mjs': spec(`test('x', async ({ page }) => { await page.goto('/ok') ;; ) });`),
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ ui › browser › spec files load — .*(SyntaxError|Unexpected token)/);
  });

  it('a page that never loads fails within the test timeout', async () => {
    const dir = browserProject({
      'slow.spec.mjs': spec(`test('never', async ({ page }) => { await page.goto('/never'); });`),
    });
    const started = Date.now();
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.stdout).toMatch(
      /✗ ui › browser › slow\.spec\.mjs › never — .*(Test timeout of 5000ms exceeded|Timeout)/,
    );
  });
});

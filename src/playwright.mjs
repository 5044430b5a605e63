// Gauntlet's Playwright fixtures for smoke specs: `import { test, expect } from 'gauntlet/playwright'`.
// Every test also fails on a console error, an uncaught page error, a failed request, or an
// API call (fetch/XHR) answering 4xx/5xx — what breaks a page after a deploy more often than
// a missing element does. Plain JS so Playwright loads it from node_modules untransformed.
import { test as base, expect } from '@playwright/test';

export const test = base.extend({
  failOnPageProblems: [
    async ({ page }, use, testInfo) => {
      const problems = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) =>
        problems.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText ?? 'failed'})`),
      );
      page.on('response', (r) => {
        const type = r.request().resourceType();
        if (r.status() >= 400 && (type === 'fetch' || type === 'xhr'))
          problems.push(`API call failed: ${r.request().method()} ${r.url()} → ${r.status()}`);
      });
      await use();
      if (problems.length > 0) {
        await testInfo.attach('screenshot', {
          body: await page.screenshot().catch(() => Buffer.alloc(0)),
          contentType: 'image/png',
        });
        throw new Error(problems.join('\n'));
      }
    },
    { auto: true },
  ],
});

export { expect };

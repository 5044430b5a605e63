// Screenshot of a report in Debian's Chromium: `npx jiti scripts/screenshot.ts <index.html> <out.png>`.
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, out = 'report.png'] = process.argv.slice(2);
if (!file) throw new Error('usage: screenshot.ts <index.html> [out.png]');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(pathToFileURL(resolve(file)).href);
await page.screenshot({ path: out, fullPage: true });
await browser.close();

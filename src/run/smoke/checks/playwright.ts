// playwright check: runs the user's own specs with @playwright/test (spawned: Playwright has no
// in-process API) against the environment's frontend, with Debian's Chromium, and reads its
// JSON report: each test's status, duration, error (ANSI stripped) and screenshot on failure.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import type { PlaywrightCheck } from '../../../config/suite.ts';
import { formatMs } from '../../../core/duration.ts';
import type { Attempt, CheckContext } from '../context.ts';
import { z } from 'zod';
import { parseAnswer } from '../../../core/answer.ts';

const MAX_SCREENSHOT_BYTES = 2 * 1024 * 1024;

// Playwright's JSON reporter, as far as Gauntlet reads it (parsed, never cast: a Playwright of
// another shape is one clear line, not a check passed on an empty report).
const Message = z.looseObject({ message: z.string().optional() });
export const PwResult = z.looseObject({
  status: z.string(),
  duration: z.number(),
  error: Message.optional(),
  errors: z.array(Message).optional(),
  attachments: z
    .array(
      z.looseObject({
        name: z.string(),
        contentType: z.string(),
        path: z.string().optional(),
        body: z.string().optional(),
      }),
    )
    .optional(),
});
export type PwResult = z.infer<typeof PwResult>;
const PwSpec = z.looseObject({
  title: z.string(),
  file: z.string(),
  line: z.number().optional(),
  tests: z.array(z.looseObject({ status: z.string().optional(), results: z.array(PwResult) })),
});
interface PwSuite {
  title: string;
  file?: string | undefined;
  specs?: z.infer<typeof PwSpec>[] | undefined;
  suites?: PwSuite[] | undefined;
}
const PwSuite: z.ZodType<PwSuite> = z.lazy(() =>
  z.looseObject({
    title: z.string(),
    file: z.string().optional(),
    specs: z.array(PwSpec).optional(),
    suites: z.array(PwSuite).optional(),
  }),
);
const PwReport = z.looseObject({ suites: z.array(PwSuite).optional(), errors: z.array(Message).optional() });

// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

export async function playwrightCheck(check: PlaywrightCheck, ctx: CheckContext, suiteFile?: string): Promise<Attempt> {
  const started = performance.now();
  const base = suiteFile ? dirname(resolve(suiteFile)) : process.cwd();
  const files = await glob(check.specs, { cwd: base, absolute: true });
  if (files.length === 0)
    return { expectations: [], durationMs: 0, reason: `no spec files match ${check.specs.join(', ')} under ${base}` };
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    return {
      expectations: [],
      durationMs: 0,
      reason: `Chromium not found at ${executablePath} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
    };
  const cli = playwrightCli(base);
  const work = mkdtempSync(join(tmpdir(), 'gauntlet-pw-'));
  const testDir = commonDir(files);
  const configFile = join(work, 'playwright.config.mjs');
  writeFileSync(
    configFile,
    `export default ${JSON.stringify(
      {
        testDir,
        testMatch: files.map((f) => relative(testDir, f)),
        timeout: check.timeout,
        retries: check.retries,
        workers: 1,
        reporter: [['json']],
        outputDir: join(work, 'results'),
        use: {
          baseURL: ctx.env.frontendUrl ?? ctx.env.baseUrl,
          headless: true,
          screenshot: 'only-on-failure',
          trace: 'off',
          video: 'off',
          launchOptions: { executablePath },
        },
        projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
      },
      null,
      2,
    )};\n`,
  );
  const reportFile = join(work, 'report.json');
  try {
    const run = await spawnBounded(process.execPath, [cli, 'test', '--config', configFile], {
      cwd: testDir,
      env: {
        ...process.env,
        PLAYWRIGHT_JSON_OUTPUT_FILE: reportFile,
        PLAYWRIGHT_HTML_OPEN: 'never',
        BASE_URL: ctx.env.frontendUrl ?? ctx.env.baseUrl,
        CHROMIUM_PATH: executablePath,
        NO_COLOR: '1',
        FORCE_COLOR: '0',
      },
      timeoutMs: check.overallTimeout,
      signal: ctx.signal,
    });
    if (run.timedOut)
      return {
        expectations: [],
        durationMs: performance.now() - started,
        reason: `Playwright did not finish within ${formatMs(check.overallTimeout)}; it was stopped`,
      };
    if (!existsSync(reportFile)) {
      return {
        expectations: [],
        durationMs: performance.now() - started,
        reason: `Playwright failed before reporting (exit ${run.code}): ${firstLines(stripAnsi(run.output), 3)}`,
      };
    }
    const report = parseAnswer(PwReport, JSON.parse(readFileSync(reportFile, 'utf8')), 'Playwright’s JSON report');
    const tests: NonNullable<Attempt['tests']> = [];
    const walk = (suite: PwSuite, titles: string[]) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests) {
          const last = t.results[t.results.length - 1];
          const ok = t.status === 'expected' || t.status === 'flaky';
          const message = last?.error?.message ?? last?.errors?.[0]?.message;
          const shots = (last?.attachments ?? [])
            .filter((a) => a.contentType.startsWith('image/') && a.path && existsSync(a.path))
            .map((a) => ({ name: a.name, contentType: a.contentType, buf: readFileSync(a.path!) }))
            .filter((a) => a.buf.length <= MAX_SCREENSHOT_BYTES)
            .map((a) => ({ name: a.name, contentType: a.contentType, base64: a.buf.toString('base64') }));
          tests.push({
            name: [...titles, spec.title].filter(Boolean).join(' › '),
            file: relative(process.cwd(), join(testDir, spec.file)),
            ok,
            durationMs: t.results.reduce((d, r) => d + r.duration, 0),
            ...(ok
              ? {}
              : {
                  reason: message ? firstLines(stripAnsi(message), 4) : `test ${t.status ?? last?.status ?? 'failed'}`,
                }),
            ...(t.results.length > 1 ? { detail: `${t.results.length} attempts` } : {}),
            ...(shots.length ? { attachments: shots } : {}),
          });
        }
      }
      for (const s of suite.suites ?? []) walk(s, [...titles, s.title]);
    };
    for (const s of report.suites ?? []) walk(s, [s.title]);
    for (const e of report.errors ?? []) {
      tests.push({
        name: 'spec files load',
        ok: false,
        durationMs: 0,
        reason: firstLines(stripAnsi(e.message ?? 'error'), 4),
      });
    }
    if (tests.length === 0)
      return { expectations: [], durationMs: performance.now() - started, reason: 'Playwright ran no test' };
    return { expectations: [], durationMs: performance.now() - started, tests };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The user's own @playwright/test when their project has one, else Gauntlet's. */
function playwrightCli(from: string): string {
  for (const base of [join(from, 'noop.js'), import.meta.url]) {
    try {
      return createRequire(base).resolve('@playwright/test/cli');
    } catch {
      /* next */
    }
  }
  throw new Error('@playwright/test is not installed');
}

function commonDir(files: string[]): string {
  let dir = dirname(files[0]!);
  while (!files.every((f) => f.startsWith(`${dir}/`))) dir = dirname(dir);
  return dir;
}

const firstLines = (s: string, n: number) =>
  s
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, n)
    .join(' · ');

/** Runs a child in its own process group, killed (group and all: browsers too) at the deadline or on abort. */
function spawnBounded(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; signal: AbortSignal },
): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    opts.signal.addEventListener('abort', killGroup, { once: true });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', killGroup);
      killGroup(); // anything the run left behind in its group (a browser) goes with it
      resolvePromise({ code, output, timedOut });
    });
  });
}

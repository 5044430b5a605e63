// Shared fixtures for the end-to-end tests: the real demo API, misbehaving servers, temp
// projects, and the CLI run as a user runs it (a child process, its exit code and output).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoApi, type DemoApi } from '../examples/demo-stack/api.ts';
export { startDemoStack, type DemoStack } from '../examples/demo-stack/stack.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin', 'gauntlet.mjs');
export const DEMO_PASSWORD = 'demo-pass-7f3a9c';

export function startDemo(rateLimitPerMinute = 10_000): Promise<DemoApi> {
  return startDemoApi({ password: DEMO_PASSWORD, jwtSecret: 'test-jwt-secret-0123456789abcdef', rateLimitPerMinute });
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  out: string;
}

/** Runs `gauntlet ...args` in `cwd` as a child process, killed if it outlives timeoutMs. */
export function gauntlet(
  args: string[],
  opts: {
    cwd: string;
    env?: Record<string, string>;
    timeoutMs?: number;
    onStdout?: (chunk: string, child: ReturnType<typeof spawn>) => void;
  },
): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/root',
        // Which socket loop the load runs on: the e2e-js-core project sets it (vitest.config.ts).
        ...(process.env.GAUNTLET_CORE ? { GAUNTLET_CORE: process.env.GAUNTLET_CORE } : {}),
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      opts.onStdout?.(c.toString(), child);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, out: stdout + stderr });
    });
  });
}

/** A temp project folder holding the given files. */
export function project(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gauntlet-test-')));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export function yamlConfig(baseUrl: string, extra = ''): string {
  return `environments:\n  test:\n    baseUrl: ${JSON.stringify(baseUrl)}\nsmoke: ["smoke/*.smoke.yaml"]\n${extra}`;
}

export interface Artifacts {
  dir: string;
  runJson: string;
  html: string;
  junit: string;
  summary: string;
  record: Record<string, unknown> & {
    status: string;
    exitCode: number;
    errors: string[];
    checks: { name: string; status: string; reason?: string; attempts: number }[];
    verdicts: { id: string; status: string; observed?: string; detail?: string }[];
  };
}

/** The artifacts of the newest run under <cwd>/reports (via reports/latest). */
export function latestReport(cwd: string, root = 'reports'): Artifacts {
  const dir = join(cwd, root, 'latest');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const runJson = read('run.json');
  return {
    dir,
    runJson,
    html: read('index.html'),
    junit: read('junit.xml'),
    summary: read('summary.md'),
    record: JSON.parse(runJson) as Artifacts['record'],
  };
}

export function allArtifactText(cwd: string, root = 'reports'): string {
  const dir = join(cwd, root, 'latest');
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

/** A local HTTP server whose handler is the test's; closed with close(). */
export async function server(
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const s = createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server: s,
    close: () =>
      new Promise<void>((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

/** One line with no stack trace: no "    at " frames, no "Error:" dumps. */
export function hasNoStackTrace(text: string): boolean {
  return !/^\s+at .+\(.+:\d+:\d+\)$/m.test(text) && !/^\s+at /m.test(text);
}

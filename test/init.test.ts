// `gauntlet init` as a new user runs it: in an empty folder, from an OpenAPI document, for
// GitHub; the project it writes validates and its gate passes against the demo stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { spawn } from 'node:child_process';
import { BIN, gauntlet, latestReport, project, startDemoStack, type DemoStack } from './helpers.ts';

let stack: DemoStack;
beforeAll(async () => {
  stack = await startDemoStack({ rateLimitPerMinute: 100_000 });
}, 90_000);
afterAll(() => stack?.stop());

const OPENAPI = {
  openapi: '3.0.3',
  info: { title: 'demo', version: '1' },
  paths: {
    '/health': { get: { responses: { '200': { description: 'up' } } } },
    '/api/catalog/{id}': { get: { responses: { '200': { description: 'one product' } } } },
    '/': { get: { responses: { '200': { description: 'the page' } } } },
    '/login': { post: { responses: { '200': { description: 'a token' } } } },
  },
};

describe('gauntlet init', () => {
  it('writes a project from an OpenAPI document that validates and whose gate passes against the demo stack', async () => {
    const dir = project({ 'openapi.json': JSON.stringify(OPENAPI), '.github/.keep': '' });
    const init = await gauntlet(['init', '--openapi', 'openapi.json', '--base-url', stack.api.url], { cwd: dir });
    expect(init.code, init.out).toBe(0);
    expect(init.stdout).toContain('init: wrote .github/workflows/gauntlet-gate.yml'); // found .github/
    // A check per GET path without parameters, expecting its documented status.
    const suite = parse(readFileSync(join(dir, 'smoke/api.smoke.yaml'), 'utf8')) as {
      checks: { path: string; expect: { status: number } }[];
    };
    expect(suite.checks.map((c) => [c.path, c.expect.status])).toEqual([
      ['/health', 200],
      ['/', 200],
    ]);
    const validate = await gauntlet(['validate', '--env', 'staging'], { cwd: dir });
    expect(validate.code, validate.out).toBe(0);
    const gate = await gauntlet(['gate', '--env', 'staging'], { cwd: dir, timeoutMs: 90_000 });
    expect(gate.code, gate.out).toBe(0);
    expect(latestReport(dir).record.verdicts.map((v) => v.id)).toEqual(
      expect.arrayContaining(['smoke', 'http_req_duration p(95)<500', 'http_req_failed rate<0.01']),
    );

    // A second init writes nothing over what exists.
    const again = await gauntlet(['init'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.out).toContain('already exist: nothing written (--force overwrites)');
  }, 150_000);

  it('without an OpenAPI document: one check of /, a base URL from the environment; GitLab when asked', async () => {
    const dir = project({});
    const init = await gauntlet(['init', '--ci', 'gitlab', '--env', 'prod'], { cwd: dir });
    expect(init.code, init.out).toBe(0);
    expect(existsSync(join(dir, 'gauntlet.gitlab-ci.yml'))).toBe(true);
    expect(readFileSync(join(dir, 'gauntlet.config.yaml'), 'utf8')).toContain('baseUrl: ${env:PROD_BASE_URL}');
    const v = await gauntlet(['validate', '--env', 'prod'], { cwd: dir, env: { PROD_BASE_URL: stack.api.url } });
    expect(v.code, v.out).toBe(0);
  });

  it('an OpenAPI document that is not one, or an unknown platform: exit 2, one line, nothing written', async () => {
    const dir = project({ 'bad.json': '{"info": {}}' });
    const a = await gauntlet(['init', '--openapi', 'bad.json'], { cwd: dir });
    expect(a.code).toBe(2);
    expect(a.out).toContain('bad.json: not an OpenAPI document (no "paths" of operations)');
    const b = await gauntlet(['init', '--ci', 'jenkins'], { cwd: dir });
    expect(b.code).toBe(2);
    expect(b.out).toContain('--ci "jenkins": expected github, gitlab or none');
    expect(existsSync(join(dir, 'gauntlet.config.yaml'))).toBe(false);
  });

  it('on a terminal it asks what the flags left open; answers typed ahead are kept; the input ending early writes nothing', async () => {
    // A real pseudo-terminal: util-linux `script` runs the CLI on one and forwards our stdin to it.
    const onTty = (dir: string, input: string, args = '') =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const env = { ...process.env };
        delete env.CI; // in CI it would ask nothing, rightly
        const child = spawn('script', ['-qec', `${process.execPath} ${BIN} init ${args}`, '/dev/null'], {
          cwd: dir,
          env,
        });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          done({ code, out });
        });
        child.stdin.end(input);
      });
    const dir = project({ '.github/.keep': '' });
    const r = await onTty(dir, `prod\n${stack.api.url}\n\n\n`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Environment name [staging]:');
    expect(r.out).toContain('CI platform: github, gitlab or none [github]:'); // found .github/, offered as the default
    const config = parse(readFileSync(join(dir, 'gauntlet.config.yaml'), 'utf8')) as {
      environments: Record<string, { baseUrl: string }>;
    };
    expect(config.environments).toEqual({ prod: { baseUrl: stack.api.url } });
    expect(existsSync(join(dir, '.github/workflows/gauntlet-gate.yml'))).toBe(true);
    const validate = await gauntlet(['validate', '--env', 'prod'], { cwd: dir });
    expect(validate.code, validate.out).toBe(0);

    const early = project({});
    const e = await onTty(early, 'prod\n');
    expect(e.code, e.out).toBe(2);
    expect(e.out).toContain('init: the input ended before every answer: nothing written');
    expect(existsSync(join(early, 'gauntlet.config.yaml'))).toBe(false);
  });
});

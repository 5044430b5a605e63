import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, gauntlet, latestReport, project, startDemoStack, type DemoStack } from './helpers.ts';

let stack: DemoStack;
let api: DemoStack['api'];
beforeAll(async () => {
  stack = await startDemoStack({ rateLimitPerMinute: 10_000 });
  api = stack.api;
});
afterAll(() => stack?.stop());

describe('gauntlet smoke against the demo API', () => {
  it('passes the repo suites (API, data, browser; TS and YAML) and exits 0, writing every artifact', async () => {
    const out = project({});
    const run = await gauntlet(['smoke', '--out', join(out, 'reports')], { cwd: ROOT, env: stack.env });
    expect(run.code, run.out).toBe(0);
    expect(run.stdout).toContain('✓ api › login');
    expect(run.stdout).toContain('✓ api › websocket echo');
    expect(run.stdout).toMatch(/PASSED \(exit 0\)/);
    const a = latestReport(out);
    expect(a.record.status).toBe('passed');
    expect(a.record.checks.length).toBeGreaterThanOrEqual(11);
    expect(run.stdout).toContain('✓ data › primary');
    expect(run.stdout).toContain('✓ frontend › browser › catalog.spec.ts › the catalog page lists the items');
    for (const secret of [
      stack.password,
      new URL(stack.postgres.url).password,
      decodeURIComponent(new URL(stack.redis.url).password),
    ]) {
      expect(run.out + a.runJson + a.html).not.toContain(secret);
    }
    expect(a.record.checks.every((c) => c.status === 'passed')).toBe(true);
    expect(a.junit).toContain('<testcase name="login" classname="smoke.api"');
    expect(a.summary).toContain('PASSED');
    expect(a.html).toContain('<span class="badge passed">PASSED</span>');
  });

  it('exits 1 when one expectation breaks and names the failing check in console, HTML and JUnit', async () => {
    const dir = project({
      'gauntlet.config.yaml': `environments:\n  test:\n    baseUrl: ${api.url}\nsmoke: ["smoke/*.smoke.yaml"]\n`,
      'smoke/api.smoke.yaml': `name: api
checks:
  - kind: http
    name: health
    path: /health
  - kind: http
    name: version is pinned
    path: /health
    expect:
      body: [{ path: $.version, equals: "9.9.9" }]
`,
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code, run.out).toBe(1);
    expect(run.stdout).toContain('✗ api › version is pinned — expected $.version equals "9.9.9", got "1.4.2"');
    const a = latestReport(dir);
    expect(a.record.status).toBe('failed');
    expect(a.html).toContain('version is pinned');
    expect(a.html).toMatch(/badge failed">failed<\/span>\s*<span class="name">api › version is pinned/);
    expect(a.junit).toMatch(
      /<testcase name="version is pinned" classname="smoke.api"[^>]*>\s*<failure message="expected \$.version equals &quot;9.9.9&quot;, got &quot;1.4.2&quot;"/,
    );
    expect(a.junit).toMatch(/<testcase name="smoke: all smoke checks pass" classname="verdicts" time="0">\s*<failure/);
    expect(a.summary).toContain('api › version is pinned');
    // Not in GitHub Actions: no workflow commands in the log.
    expect(run.stdout).not.toContain('::error');

    // In GitHub Actions, the failing verdict is an annotation on the run.
    const gh = await gauntlet(['smoke'], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } });
    expect(gh.code, gh.out).toBe(1);
    expect(gh.stdout).toContain(
      '::error title=Gauntlet smoke%3A smoke (fail)::observed 1/2 passed — objective all smoke checks pass',
    );
  });

  it('retries a warming-up endpoint with backoff until it answers', async () => {
    const dir = project({
      'gauntlet.config.yaml': `environments:\n  test:\n    baseUrl: ${api.url}\nsmoke: ["smoke/*.smoke.yaml"]\n`,
      'smoke/a.smoke.yaml': `name: warmup
checks:
  - kind: http
    name: eventually 404 becomes expected
    path: /not-there
    expect: { status: 200 }
    retry: { for: 600ms, initialBackoff: 100ms }
`,
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code).toBe(1);
    const check = latestReport(dir).record.checks[0]!;
    expect(check.attempts).toBeGreaterThanOrEqual(3);
    expect(check.reason).toMatch(/after \d+ attempts/);
  });

  it('re-renders the reports from run.json with `gauntlet report`', async () => {
    const dir = project({
      'gauntlet.config.yaml': `environments:\n  test:\n    baseUrl: ${api.url}\nsmoke: ["smoke/*.smoke.yaml"]\n`,
      'smoke/a.smoke.yaml': 'name: a\nchecks:\n  - { kind: http, name: health, path: /health }\n',
    });
    expect((await gauntlet(['smoke'], { cwd: dir })).code).toBe(0);
    const before = latestReport(dir);
    const runJson = join(before.dir, 'run.json');
    const again = await gauntlet(['report', runJson, '--out', join(dir, 'rerendered')], { cwd: dir });
    expect(again.code, again.out).toBe(0);
    const html = readFileSync(join(dir, 'rerendered', 'latest', 'index.html'), 'utf8');
    expect(html).toBe(before.html);
  });
});

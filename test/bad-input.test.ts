// Bad input gets one clear line naming what and why, the right exit code, no stack trace, and
// the report is still written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, gauntlet, hasNoStackTrace, latestReport, project, server, yamlConfig } from './helpers.ts';

const suite = (checks: string) => `name: s\nchecks:\n${checks}`;
let misbehaving: Awaited<ReturnType<typeof server>>;

beforeAll(async () => {
  misbehaving = await server((req, res) => {
    if (req.url === '/html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>oops, not JSON</html>');
    } else if (req.url === '/huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 10 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    } else if (req.url === '/hang') {
      /* accepts and never answers */
    } else {
      res.end('{}');
    }
  });
});
afterAll(() => misbehaving.close());

describe('bad config', () => {
  it('malformed YAML: exit 2, file and line, report written', async () => {
    const dir = project({ 'gauntlet.config.yaml': 'environments:\n  test:\n    baseUrl: [unclosed\n' });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.out).toMatch(/gauntlet\.config\.yaml: malformed YAML/);
    expect(run.out).toMatch(/gauntlet\.config\.yaml:\d+:\d+ /);
    expect(hasNoStackTrace(run.out)).toBe(true);
    expect(latestReport(dir).record.status).toBe('error');
  });

  it('a TS config with a syntax error: exit 2, one line', async () => {
    const dir = project({ 'gauntlet.config.ts': 'export default { environments: { test: { baseUrl: "http://x" } }\n' });
    const run = await gauntlet(['validate'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')[0]).toMatch(/^error: gauntlet\.config\.ts: could not load: /);
    expect(hasNoStackTrace(run.out)).toBe(true);
  });

  it('validate reports every problem at once with file, line and key path', async () => {
    const dir = project({
      'gauntlet.config.yaml': `environments:
  test:
    baseUrl: not a url
    colour: blue
smoke: 12
reports: { dir: out, keep: 3 }
`,
    });
    const run = await gauntlet(['validate'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('4 problems in the config');
    expect(run.stderr).toMatch(/gauntlet\.config\.yaml:3:\d+ environments\.test\.baseUrl: must be a URL/);
    expect(run.stderr).toMatch(/gauntlet\.config\.yaml:4:\d+ environments\.test: unknown key "colour"/);
    expect(run.stderr).toMatch(/gauntlet\.config\.yaml:5:\d+ smoke: /);
    expect(run.stderr).toMatch(/reports: unknown key "keep"/);
    expect(hasNoStackTrace(run.out)).toBe(true);
  });

  it('an unknown key in a suite and an unknown check kind are named with file and path', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig('http://127.0.0.1:9'),
      'smoke/a.smoke.yaml': suite('  - { kind: http, name: a, path: /, expct: {} }\n  - { kind: smtp, name: b }\n'),
    });
    const run = await gauntlet(['validate'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/smoke\/a\.smoke\.yaml:3:\d+ checks\.0: unknown key "expct"/);
    expect(run.stderr).toMatch(
      /smoke\/a\.smoke\.yaml:4:\d+ checks\.1\.kind: unknown kind \(expected one of: http, graphql, websocket, postgres, redis, playwright\)/,
    );
  });

  it('validate checks what the gate and the drill would run: a broken gate profile and a broken drill experiment, all at once, nothing sent', async () => {
    let requests = 0;
    const target = await server((_req, res) => {
      requests++;
      res.end('ok');
    });
    try {
      const dir = project({
        'gauntlet.config.yaml': `environments:\n  test:\n    baseUrl: "${target.url}"\n    tls: { ca: missing-ca.pem }\nsmoke: ["smoke/*.smoke.yaml"]\ngate: { smoke: true, load: gate.yaml }\ndrill: { plan: { rto: "<2h", rpo: "<1h" }, scenarios: [{ name: failover, experiment: chaos/failover.yaml }, { name: kill, experiment: chaos/kill.yaml }] }\n`,
        'smoke/a.smoke.yaml': suite('  - { kind: http, name: a, path: /, expect: { status: "200" } }\n'),
        'gate.yaml':
          "name: gate\nscenario: { executor: constant-arrival-rate, rate: 10, duration: 1s }\nrequests: [{ name: api, path: / }]\nthresholds: { 'http_req_duration{name:apu}': ['p(95)<200'] }\n",
        'chaos/failover.yaml':
          'name: failover\nduration: 10s\nmethod: [{ fault: { kind: process-kill, pidFile: app.pid } }]\nslos: { rto: fast }\n',
        'chaos/kill.yaml':
          'name: kill\nduration: 10s\nload: load.yaml\nmethod: [{ fault: { kind: process-kill, pidFile: app.pid } }]\n',
        'chaos/load.yaml':
          'name: during\nscenario: { executor: constant-vus, vus: 0, duration: 1s }\nrequests: [{ name: api, path: / }]\n',
      });
      const run = await gauntlet(['validate', '--env', 'test', '--engine', 'k6x'], { cwd: dir });
      expect(run.code, run.out).toBe(2);
      expect(run.stderr).toContain('environments.test.tls.ca: cannot read');
      expect(run.stderr).toMatch(
        /smoke\/a\.smoke\.yaml:3:\d+ checks\.0\.expect\.status: expected a number like 200, a class like "2xx", or a list of them; got the string "200"/,
      );
      expect(run.stderr).toMatch(
        /gate\.yaml thresholds: threshold "http_req_duration\{name:apu\}": no request has name "apu"/,
      );
      // (A DR plan's objective is the config's schema's: test/drill.test.ts.)
      expect(run.stderr).toMatch(
        /chaos\/failover\.yaml:4:\d+ slos\.rto: RTO "fast" is not a duration .*: write "<=30s"/,
      );
      expect(run.stderr).toMatch(/chaos\/load\.yaml:\d+:\d+ scenario\.vus/);
      expect(run.stderr).toContain('unknown load engine "k6x": expected one of embedded, k6, kubernetes, k6-operator');
      expect(hasNoStackTrace(run.out)).toBe(true);
      expect(requests).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('a login the deploy refuses in the gate’s load setup fails the gate (exit 1) and keeps the smoke results', async () => {
    const target = await server((req, res) => {
      res.writeHead(req.url === '/login' ? 401 : 200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    try {
      const dir = project({
        'gauntlet.config.yaml': `${yamlConfig(target.url)}gate: { smoke: true, load: gate.yaml }\n`,
        'smoke/a.smoke.yaml': suite(
          '  - { kind: http, name: health, path: /health }\n  - { kind: http, name: items, path: /items }\n',
        ),
        'gate.yaml':
          'name: gate\nscenario: { executor: constant-arrival-rate, rate: 10, duration: 1s }\nsetup: [{ name: login, method: POST, path: /login, expect: { status: 200 } }]\nrequests: [{ name: api, path: / }]\n',
      });
      const run = await gauntlet(['gate'], { cwd: dir });
      // A login the deploy refuses is the deploy's failure (exit 1, the pipeline rolls back), not the harness's.
      expect(run.code, run.out).toBe(1);
      expect(run.out).toContain('load setup step "login" failed');
      const { record } = latestReport(dir);
      expect(record.checks.map((c) => [c.name, c.status])).toEqual([
        ['health', 'passed'],
        ['items', 'passed'],
      ]);
      expect(record.verdicts.find((v) => v.id === 'smoke')?.status).toBe('pass');
      expect(record.verdicts.find((v) => v.id === 'load')).toMatchObject({
        status: 'error',
        detail: expect.stringContaining('load setup step "login" failed'),
      });
      expect(record.status).toBe('failed');
    } finally {
      await target.close();
    }
  });

  it('validate passes a sound project and counts what it checked', async () => {
    const dir = project({
      'gauntlet.config.yaml': `${yamlConfig('http://127.0.0.1:9')}gate: { smoke: true, load: gate.yaml }\n`,
      'smoke/a.smoke.yaml': suite('  - { kind: http, name: a, path: /, expect: { status: [200, "3xx"] } }\n'),
      'gate.yaml':
        'name: gate\nscenario: { executor: constant-arrival-rate, rate: 10, duration: 1s }\nrequests: [{ name: api, path: / }]\n',
    });
    const run = await gauntlet(['validate', '--env', 'test'], { cwd: dir });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain(
      'OK — 1 environment (test resolved), 1 suite file, 1 check, 1 load profile, 0 experiments',
    );
  });

  it('a missing secret env var: exit 2 naming the variable and where it is used', async () => {
    const dir = project({
      'gauntlet.config.yaml': `environments:\n  test:\n    baseUrl: http://127.0.0.1:9\n    headers: { x-api-key: "\${env:MISSING_API_KEY}" }\n`,
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.out).toContain('environments.test.headers.x-api-key: ${env:MISSING_API_KEY} is not set');
    expect(latestReport(dir).record.errors.join('\n')).toContain('MISSING_API_KEY');
  });

  it('an inline credential is refused', async () => {
    const dir = project({
      'gauntlet.config.yaml':
        'environments:\n  test:\n    baseUrl: http://127.0.0.1:9\n    postgres: { url: "postgres://app:s3cret@127.0.0.1/app" }\n',
    });
    const run = await gauntlet(['validate'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('environments.test.postgres.url: a credential is written inline');
    expect(run.out).not.toContain('s3cret');
  });

  it('an unknown command or option is a usage error (exit 2)', async () => {
    const run = await gauntlet(['smoek'], { cwd: ROOT });
    expect(run.code).toBe(2);
    expect(hasNoStackTrace(run.out)).toBe(true);
  });
});

describe('bad targets', () => {
  it('unreachable target: the target failed — a failing verdict with its reason (exit 1), report written', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig('http://127.0.0.1:9'),
      'smoke/a.smoke.yaml': suite('  - { kind: http, name: health, path: /health }\n'),
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.out).toContain(
      '✗ fail    target reachable: the target accepts a connection the run trusts — observed http://127.0.0.1:9 — connection refused (ECONNREFUSED)',
    );
    expect(hasNoStackTrace(run.out)).toBe(true);
    const a = latestReport(dir);
    expect(a.record.status).toBe('failed');
    expect(a.record.errors).toEqual([]);
    expect(a.html).toContain('connection refused (ECONNREFUSED)');
  });

  it('a body that is not JSON fails the check naming why', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig(misbehaving.url),
      'smoke/a.smoke.yaml': suite(
        '  - { kind: http, name: json api, path: /html, expect: { body: [{ path: $.ok, exists: true }] } }\n',
      ),
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ s › json api — expected body is JSON, got not JSON \(.+\): "<html>oops/);
  });

  it('a 10 MB body is cut at the size limit, not read into memory, and fails clearly', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig(misbehaving.url),
      'smoke/a.smoke.yaml': suite(
        '  - { kind: http, name: huge, path: /huge, expect: { body: [{ path: $.a, exists: true }] } }\n  - { kind: http, name: huge no json, path: /huge }\n',
      ),
    });
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '✗ s › huge — expected body is JSON, got body exceeded the size limit and was cut off',
    );
    expect(run.stdout).toContain('✗ s › huge no json — expected body fits the size limit, got more than 1048576 bytes');
    const a = latestReport(dir);
    expect(a.runJson.length).toBeLessThan(100_000);
  });

  it('a target that accepts and never answers times out within the check timeout', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig(misbehaving.url),
      'smoke/a.smoke.yaml': suite(
        '  - { kind: http, name: hangs, path: /hang, timeout: 700ms }\n  - { kind: websocket, name: ws hangs, path: /hang, connectTimeout: 700ms }\n',
      ),
    });
    const started = Date.now();
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.stdout).toContain('✗ s › hangs — no response within 700 ms (timed out)');
    expect(run.stdout).toContain('✗ s › ws hangs — no WebSocket handshake within 700 ms (timed out)');
    expect(existsSync(join(dir, 'reports', 'latest', 'index.html'))).toBe(true);
  });

  it('Ctrl-C mid-run: report marked aborted, exit 130', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig(misbehaving.url),
      'smoke/a.smoke.yaml': suite(
        '  - { kind: http, name: quick, path: /ok }\n  - { kind: http, name: hangs, path: /hang, timeout: 30s }\n',
      ),
    });
    let sent = false;
    const run = await gauntlet(['smoke'], {
      cwd: dir,
      onStdout: (chunk, child) => {
        if (!sent && chunk.includes('s › quick')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 200);
        }
      },
    });
    expect(run.code).toBe(130);
    const a = latestReport(dir);
    expect(a.record.status).toBe('aborted');
    expect(a.record.errors.join()).toContain('interrupted by SIGINT');
    expect(a.record.checks.map((c) => c.name)).toContain('quick');
  });
});

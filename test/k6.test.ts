// The k6 engine with the real k6 binary: a profile on both engines against the same server
// (verdicts agree, p95s close), teams' own TypeScript k6 scripts with local helpers and custom
// metrics, and everything that goes wrong: compile errors, a throwing script, k6 missing, k6
// killed mid-run.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findK6 } from '../src/targets/local/k6.ts';
import type { LoadResult } from '../src/record/schema.ts';
import { fixedDelayServer, type Running } from './fixtures/servers.ts';
import { gauntlet, hasNoStackTrace, latestReport, project, yamlConfig } from './helpers.ts';

const loadOf = (dir: string) => (latestReport(dir).record as unknown as { load: LoadResult }).load;
const verdictsOf = (dir: string) =>
  latestReport(dir)
    .record.verdicts.map((v) => `${v.id}=${v.status}`)
    .sort();

let server: Running;
beforeAll(async () => {
  server = await fixedDelayServer(10);
});
afterAll(async () => {
  await server?.close();
});

const PROFILE = `name: parity
scenario: { executor: constant-arrival-rate, rate: 150, duration: 4s, preAllocatedVUs: 10 }
requests:
  - { name: home, path: /, weight: 3 }
  - { name: item, path: /item, weight: 1 }
thresholds:
  http_req_duration{name:home}: ['p(95)<200']
  http_req_duration: ['p(50)<5']
  http_req_failed: ['rate<0.01']
  http_reqs: ['count>500']
`;

describe('a profile on k6', () => {
  it('agrees with the embedded engine on the same server: same verdicts, p95 within 25%, the engine named', async () => {
    const dir = project({ 'gauntlet.config.yaml': yamlConfig(server.url), 'p.yaml': PROFILE });
    const k6 = await gauntlet(['load', 'p.yaml', '--engine', 'k6'], { cwd: dir, timeoutMs: 60_000 });
    expect(k6.code, k6.out).toBe(1); // p(50)<5 cannot hold against a 10 ms server
    expect(k6.stdout).toContain('on the k6 engine');
    const onK6 = loadOf(dir);
    const k6Verdicts = verdictsOf(dir);
    const embedded = await gauntlet(['load', 'p.yaml'], { cwd: dir, timeoutMs: 60_000 });
    expect(embedded.code, embedded.out).toBe(1);
    const onEmbedded = loadOf(dir);
    // The same verdicts, but for the generator's own: only the embedded engine measures its send lag
    // (k6 times from the actual send and reports lateness as dropped_iterations alone).
    expect(verdictsOf(dir).filter((v) => !v.startsWith('generator='))).toEqual(k6Verdicts);
    expect(verdictsOf(dir)).toContain('generator=pass');
    expect(k6Verdicts).toContain('http_req_duration p(50)<5=fail');
    expect(k6Verdicts).toContain('http_req_failed rate<0.01=pass');

    expect(onK6.engine).toBe('k6');
    expect(onEmbedded.engine).toBe('embedded');
    expect(onK6.k6!.exitCode).toBe(99); // thresholds failed: a verdict, not a crash
    expect(onK6.k6!.thresholds.find((t) => t.expr === 'p(50)<5')!.ok).toBe(false);
    // 150/s for 4 s, a 3:1 mix with names as tags.
    expect(onK6.totals.requests).toBeGreaterThan(550);
    expect(onK6.totals.requests).toBeLessThan(650);
    expect(onK6.byName.home!.totals.requests).toBeGreaterThan(onK6.byName.item!.totals.requests * 2);
    const [a, b] = [onK6.all.latency!.p95Ms, onEmbedded.all.latency!.p95Ms];
    expect(a).toBeGreaterThan(9.9);
    expect(Math.abs(a - b) / b).toBeLessThan(0.25);
    expect(onK6.series.length).toBeGreaterThanOrEqual(4);
    const html = latestReport(dir).html;
    expect(html).toContain('embedded engine');
  }, 120_000);

  it('puts k6 and its own judgement in the report', async () => {
    const dir = project({ 'gauntlet.config.yaml': yamlConfig(server.url), 'p.yaml': PROFILE });
    await gauntlet(['load', 'p.yaml', '--engine', 'k6'], { cwd: dir, timeoutMs: 60_000 });
    const html = latestReport(dir).html;
    expect(html).toContain('k6 engine');
    expect(html).toContain("k6's own report");
    expect(html).toMatch(/k6 v1\.\d+\.\d+/);
    expect(html).toContain('without coordinated-omission correction');
  }, 60_000);

  it('refuses an unknown engine with exit 2', async () => {
    const dir = project({ 'gauntlet.config.yaml': yamlConfig(server.url), 'p.yaml': PROFILE });
    const run = await gauntlet(['load', 'p.yaml', '--engine', 'jmeter'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.out).toContain('unknown load engine "jmeter"');
  });
});

describe('redirects on every engine', () => {
  it('a deploy that 302s to its own 500 page fails on k6 and on the embedded engine; maxRedirects reaches k6', async () => {
    const redirecting = createServer((req, res) => {
      res.writeHead(req.url === '/' ? 302 : 500, {
        'content-length': '2',
        ...(req.url === '/' ? { location: '/error' } : {}),
      });
      res.end('ok');
    });
    await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
      const profile = (extra: string) => `name: redirect
scenario: { executor: constant-arrival-rate, rate: 20, duration: 1s, preAllocatedVUs: 5 }
${extra}
requests:
  - { name: home, path: / }
thresholds:
  http_req_failed: ['rate<0.01']
`;
      const run = async (engine: string, extra = '') => {
        const dir = project({ 'gauntlet.config.yaml': yamlConfig(url), 'p.yaml': profile(extra) });
        const cli = await gauntlet(['load', 'p.yaml', '--engine', engine], { cwd: dir, timeoutMs: 60_000 });
        expect(cli.code, cli.out).not.toBe(2);
        const failed = latestReport(dir).record.verdicts.find((v) => v.id === 'http_req_failed rate<0.01')!.status;
        return { home: loadOf(dir).byName.home!.totals, failed };
      };
      const k6 = await run('k6');
      const embedded = await run('embedded');
      // Both follow the redirect and judge the final answer: the 500s are recorded and fail.
      for (const { home, failed } of [k6, embedded]) {
        expect(home.statuses['500']).toBeGreaterThan(0);
        expect(home.errors.http_5xx).toBe(home.statuses['500']);
        expect(failed).toBe('fail');
      }
      // The embedded engine counts the chain as one request; k6 counts each hop (its 302 passes).
      expect(embedded.home.statuses).toEqual({ 500: 20 });
      expect(k6.home.statuses['302']).toBe(k6.home.statuses['500']);
      // maxRedirects: 0 is k6's option too: the 302 is the answer, and it passes.
      const off = await run('k6', 'maxRedirects: 0');
      expect(Object.keys(off.home.statuses)).toEqual(['302']);
      expect(off.failed).toBe('pass');
    } finally {
      redirecting.closeAllConnections();
      await new Promise<void>((r) => redirecting.close(() => r()));
    }
  }, 120_000);
});

const SCRIPT = (threshold: string) => `import http from 'k6/http';
import { check } from 'k6';
import { Trend, Counter } from 'k6/metrics';
import { pathFor } from './lib/paths.ts';
declare const __ENV: Record<string, string>;
declare const __ITER: number;

const pageTime = new Trend('page_time', true);
const pages: Counter = new Counter('pages');

export const options = {
  scenarios: { browse: { executor: 'constant-vus', vus: 2, duration: '2s' } },
  thresholds: { page_time: ['${threshold}'], pages: ['count>10'], checks: ['rate>0.99'] },
};

export default function (): void {
  const res = http.get(__ENV.BASE_URL + pathFor(__ITER), { tags: { name: 'page' } });
  pageTime.add(res.timings.duration);
  pages.add(1);
  check(res, { 'status 200': (r) => r.status === 200 });
}
`;
const HELPER = `export const paths: readonly string[] = ['/', '/a', '/b'];
export function pathFor(i: number): string { return paths[i % paths.length] as string; }
`;

describe("a team's own k6 script", () => {
  it('is bundled with its local helpers and run as it is; its thresholds and custom metrics are verdicts and in the report', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig(server.url),
      'scenarios/shop.k6.ts': SCRIPT('p(95)<500'),
      'scenarios/lib/paths.ts': HELPER,
    });
    const run = await gauntlet(['load', 'scenarios/shop.k6.ts'], { cwd: dir, timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(0);
    expect(verdictsOf(dir)).toEqual([
      'checks rate>0.99=pass',
      'load=pass',
      'page_time p(95)<500=pass',
      'pages count>10=pass',
    ]);
    const load = loadOf(dir);
    expect(load.profile).toBe('shop');
    expect(load.executor).toBe('constant-vus');
    expect(load.byName.page!.totals.requests).toBeGreaterThan(50);
    expect(load.k6!.metrics.page_time!.values['p(95)']).toBeGreaterThan(9.9);
    expect(load.scheduledMs).toBe(2000);
    expect(latestReport(dir).html).toContain('<code>page_time</code>');
  }, 60_000);

  it('a failing threshold (k6 exits 99) is a failed verdict, exit 1', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig(server.url),
      'scenarios/shop.k6.ts': SCRIPT('p(95)<1'),
      'scenarios/lib/paths.ts': HELPER,
    });
    const run = await gauntlet(['load', 'scenarios/shop.k6.ts'], { cwd: dir, timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(1);
    expect(run.stdout).toMatch(/✗ fail\s+page_time p\(95\)<1: .*observed p\(95\)=1\d\.\d\d ms/);
    expect(loadOf(dir).k6!.exitCode).toBe(99);
  }, 60_000);

  it('a script that does not compile: esbuild names the file and line, exit 2, no stack', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig(server.url),
      'scenarios/bad.k6.ts': "import http from 'k6/http';\nexport default function () {\n  http.get('x' +;\n}\n",
    });
    const run = await gauntlet(['load', 'scenarios/bad.k6.ts'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.out).toMatch(/k6 script does not compile: scenarios\/bad\.k6\.ts:3:\d+: /);
    expect(hasNoStackTrace(run.out)).toBe(true);
    expect(latestReport(dir).record.errors[0]).toContain('does not compile');
  });

  it('a script that throws in k6: k6’s message, exit 3', async () => {
    const dir = project({
      'gauntlet.config.yaml': yamlConfig(server.url),
      'scenarios/throws.k6.ts':
        "export const options = { vus: 1, duration: '1s' };\nthrow new Error('no test data file');\nexport default function () {}\n",
    });
    const run = await gauntlet(['load', 'scenarios/throws.k6.ts'], { cwd: dir, timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(3);
    expect(run.out).toContain('no test data file');
    expect(hasNoStackTrace(run.out)).toBe(true);
  }, 60_000);
});

describe('k6 itself', () => {
  it('missing: --engine k6 exits 3 and says how to install it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gauntlet-nok6-'));
    const dir = project({ 'gauntlet.config.yaml': yamlConfig(server.url), 'p.yaml': PROFILE });
    const run = await gauntlet(['load', 'p.yaml', '--engine', 'k6'], {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin', HOME: home },
    });
    expect(run.code).toBe(3);
    expect(run.out).toContain('k6 is not installed');
    expect(run.out).toContain('go install go.k6.io/k6@v1.8.1');
    expect(run.out).toContain('K6_PATH');
  });

  it('killed mid-run: the partial result is reported and the run fails on it', async () => {
    const k6 = findK6(process.env);
    const bin = mkdtempSync(join(tmpdir(), 'gauntlet-k6crash-'));
    const wrapper = join(bin, 'k6');
    // Runs the real k6, then kills it hard after 2.5 s of a 6 s test (version queries pass through).
    writeFileSync(
      wrapper,
      `#!/bin/sh\n[ "$1" = run ] || exec ${k6} "$@"\n${k6} "$@" &\npid=$!\nsleep 2.5\nkill -9 $pid\nwait $pid\n`,
    );
    chmodSync(wrapper, 0o755);
    const dir = project({
      'gauntlet.config.yaml': yamlConfig(server.url),
      'p.yaml': PROFILE.replace('duration: 4s', 'duration: 6s'),
    });
    const run = await gauntlet(['load', 'p.yaml', '--engine', 'k6'], {
      cwd: dir,
      env: { K6_PATH: wrapper },
      timeoutMs: 60_000,
    });
    expect(run.code, run.out).toBe(1);
    const load = loadOf(dir);
    expect(load.stoppedEarly).toMatch(/k6 exited with code 137/);
    expect(load.totals.requests).toBeGreaterThan(100);
    expect(load.totals.requests).toBeLessThan(600);
    expect(latestReport(dir).record.verdicts.find((v) => v.id === 'engine')!.status).toBe('fail');
    expect(latestReport(dir).html).toContain('k6 failed:');
  }, 60_000);
});

describe('k6-operator results', () => {
  it('merges real runner summaries (execution segments): counts add exactly, percentiles become bounds', async () => {
    const { bundle } = await import('../src/run/load/k6/bundle.ts');
    const { generatedEntry, k6Plan } = await import('../src/run/load/k6/script.ts');
    const { RUNTIME } = await import('../src/run/load/k6/engine.ts');
    const { summaryFromLog, mergeSummaries, operatorResult } = await import('../src/run/load/k6/operator.ts');
    const { Profile } = await import('../src/config/profile.ts');
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const profile = Profile.parse({
      name: 'seg',
      scenario: { executor: 'constant-arrival-rate', rate: 100, duration: '2s', preAllocatedVUs: 10 },
      requests: [{ name: 'home', path: '/' }],
      thresholds: { http_req_duration: ['p(95)<500'], http_reqs: ['count>100'] },
    });
    const { code } = await bundle(
      { contents: generatedEntry(profile, RUNTIME), resolveDir: process.cwd(), name: 'seg.js' },
      process.cwd(),
    );
    const dir = mkdtempSync(join(tmpdir(), 'gauntlet-seg-'));
    writeFileSync(join(dir, 'script.js'), code);
    const plan = JSON.stringify(
      k6Plan(profile, server.url, [{ kind: 'http', name: 'home', method: 'GET', path: '/', headers: {}, weight: 1 }]),
    );
    // What k6-operator does with parallelism 2: each runner runs its execution segment and prints its
    // summary. (Async: the target server lives in this process.)
    // Each runner sees 100 of the 200 requests: its own count>100 fails (k6 exits 99), the merged one holds.
    const logs = await Promise.all(
      ['0:1/2', '1/2:1'].map(
        async (seg) =>
          (
            await promisify(execFile)(
              findK6(process.env),
              [
                'run',
                '--quiet',
                '--no-usage-report',
                '--address',
                '127.0.0.1:0',
                '--execution-segment',
                seg,
                '--execution-segment-sequence',
                '0,1/2,1',
                'script.js',
              ],
              {
                cwd: dir,
                env: { ...process.env, GAUNTLET_K6_SUMMARY: 'stdout', GAUNTLET_K6_PLAN: plan },
                encoding: 'utf8',
              },
            ).catch((e: { code?: number; stdout?: string }) => {
              if (e.code !== 99) throw e;
              return { stdout: e.stdout ?? '' };
            })
          ).stdout,
      ),
    );
    const parts = logs.map((l) => summaryFromLog(l)!);
    expect(parts.map((p) => p.metrics.http_reqs!.thresholds!['count>100']!.ok)).toContain(false);
    expect(parts.every(Boolean)).toBe(true);
    const counts = parts.map((p) => p.metrics.http_reqs!.values.count!);
    const { merged, bounds } = mergeSummaries(parts);
    expect(merged.metrics.http_reqs!.values.count).toBe(counts[0]! + counts[1]!);
    expect(merged.metrics.http_reqs!.values.count).toBeGreaterThan(180);
    const p95s = parts.map((p) => p.metrics.http_req_duration!.values['p(95)']!);
    expect(bounds.http_req_duration!['p(95)']).toEqual([Math.min(...p95s), Math.max(...p95s)]);
    const r = operatorResult(profile, merged, bounds, 2, 0, 'k6');
    expect(r.engine).toBe('k6-operator');
    expect(r.totals.requests).toBe(counts[0]! + counts[1]!);
    expect(r.all.latency!.p95Ms).toBe(Math.max(...p95s));
    expect(r.k6!.bound).toMatch(/a bound, not exact/);
    expect(r.k6!.thresholds.map((t) => [t.expr, t.ok]).sort()).toEqual([
      ['count>100', true],
      ['p(95)<500', true],
    ]);
  }, 60_000);
});

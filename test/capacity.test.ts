// `gauntlet capacity` against servers whose capacity is known by construction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapacityResult } from '../src/record/schema.ts';
import { fixedDelayServer, limitedServer } from './fixtures/servers.ts';
import { startNginx, type Nginx } from './fixtures/nginx.ts';
import { ROOT, gauntlet, hasNoStackTrace, latestReport, project, startDemoStack } from './helpers.ts';

const config = 'environments:\n  t: { baseUrl: "${env:TARGET}" }\nsmoke: []\n';
const profile = (
  capacity: string,
  thresholds = "http_req_duration: ['p(95)<60']\n  http_req_failed: ['rate<0.01']",
  extra = '',
) => `name: cap
scenario: { executor: constant-arrival-rate, rate: 1, duration: 1s }
requests: [{ name: r, path: / }]
timeout: 2s
${extra}thresholds:
  ${thresholds}
capacity: ${capacity}
`;
const capacityOf = (dir: string) => (latestReport(dir).record as unknown as { capacity: CapacityResult }).capacity;

describe('gauntlet capacity', () => {
  it('finds a known ceiling (10 concurrent × 20 ms = 500 req/s) within 10%, states it, charts it; a drop against earlier runs fails the run', async () => {
    const server = await limitedServer(10, 20);
    try {
      const dir = project({
        'gauntlet.config.yaml': config,
        'cap.yaml': profile('{ startRate: 100, maxRate: 2000, warmup: 1s, stepDuration: 3s }'),
      });
      // Two earlier nightly runs of the same profile and environment measured 1 000 req/s.
      for (const [i, day] of ['2026-11-20', '2026-11-21'].entries()) {
        mkdirSync(join(dir, 'reports', `earlier-${i}`), { recursive: true });
        writeFileSync(
          join(dir, 'reports', `earlier-${i}`, 'run.json'),
          JSON.stringify({
            runId: `earlier-${i}`,
            startedAt: `${day}T02:00:00.000Z`,
            command: 'capacity',
            status: 'passed',
            environment: { name: 't' },
            capacity: { profile: 'cap', sustainableRps: 1000, limitedBy: 'latency' },
          }),
        );
      }
      const run = await gauntlet(['capacity', 'cap.yaml'], {
        cwd: dir,
        env: { TARGET: server.url },
        timeoutMs: 120_000,
      });
      const cap = capacityOf(dir);
      expect(cap.sustainableRps, run.out).toBeGreaterThanOrEqual(450);
      expect(cap.sustainableRps).toBeLessThanOrEqual(550);
      expect(cap.breaksAtRps!).toBeGreaterThan(cap.sustainableRps);
      expect(cap.limitedBy).toBe('latency');
      expect(cap.statement).toMatch(
        /^sustainable: \d+ req\/s \(p95 [\d.]+ ms, errors 0\.0%\); breaks at \d+ req\/s \(http_req_duration p\(95\)<60/,
      );
      expect(cap.steps.slice(0, 4).map((s) => s.offeredRps)).toEqual([100, 200, 400, 800]);
      expect(cap.trend.map((t) => t.runId)).toEqual(['earlier-0', 'earlier-1']);
      const verdicts = latestReport(dir).record.verdicts;
      expect(verdicts.find((v) => v.id === 'capacity')!.status).toBe('pass');
      expect(verdicts.find((v) => v.id === 'capacity trend')!.status).toBe('fail');
      expect(run.code).toBe(1);
      const html = latestReport(dir).html;
      expect(html).toContain('id="chart-capacity"');
      expect(html).toContain(`<b>${cap.statement.replace('<', '&lt;')}</b>`);
    } finally {
      await server.close();
    }
  }, 150_000);

  describe('a generator behind its schedule is detected, never mistaken for the target’s limit', () => {
    let nginx: Nginx;
    beforeAll(async () => {
      nginx = await startNginx();
    });
    afterAll(() => nginx?.stop());

    it('one worker asked for 150 000 req/s: inconclusive, exit 1', async () => {
      const dir = project({
        'gauntlet.config.yaml': config,
        'cap.yaml': profile(
          '{ startRate: 150000, maxRate: 300000, warmup: 1s, stepDuration: 2s, maxVUs: 500, preAllocatedVUs: 100 }',
          "http_req_duration: ['p(95)<1000']",
          'workers: 1\n',
        ),
      });
      // A JavaScript worker: it saturates near 30 000 req/s here, so the generator is surely the
      // limit. The native core is not at 150 000/s on this machine — nginx is (measured: 52 000/s
      // achieved, the core 72–84 % busy, p50 10 ms = 500 connections / 52 000/s), and calling that
      // the generator's would be the mistake this test guards against the other way round.
      const env = { TARGET: nginx.url, GAUNTLET_CORE: 'js' };
      const run = await gauntlet(['capacity', 'cap.yaml'], { cwd: dir, env, timeoutMs: 60_000 });
      expect(run.code, run.out).toBe(1);
      const cap = capacityOf(dir);
      expect(cap.limitedBy).toBe('generator');
      expect(cap.steps[0]!.outcome).toBe('inconclusive');
      // Arrivals dropped late, by a loop behind its schedule: the generator's, not nginx's (a
      // dropped arrival's lag is how late the loop got to it; no CPU gauge decides this).
      expect(cap.steps[0]!.sendLagP99Ms).toBeGreaterThan(10);
      expect(cap.steps[0]!.why).toMatch(
        /^the generator fell behind its schedule \(send lag p\(99\) [\d.]+ ms, .*; bound 10 ms\)$/,
      );
      expect(cap.statement).toMatch(/^inconclusive: the generator fell behind its schedule at 150 000 req\/s/);
    }, 90_000);
  });

  it('an SLO that fails at the first step is capacity 0, said plainly (exit 1)', async () => {
    const server = await fixedDelayServer(20);
    try {
      const dir = project({
        'gauntlet.config.yaml': config,
        'cap.yaml': profile(
          '{ startRate: 20, maxRate: 100, warmup: 0s, stepDuration: 2s }',
          "http_req_duration: ['p(95)<5']",
        ),
      });
      const run = await gauntlet(['capacity', 'cap.yaml'], {
        cwd: dir,
        env: { TARGET: server.url },
        timeoutMs: 60_000,
      });
      expect(run.code).toBe(1);
      expect(capacityOf(dir).sustainableRps).toBe(0);
      expect(run.out).toMatch(
        /capacity 0: the thresholds already fail at the first step, 20 req\/s \(http_req_duration p\(95\)<5 p\(95\)=[2-4]\d/,
      );
    } finally {
      await server.close();
    }
  }, 60_000);

  it('a target that dies mid-search: the search stops, the last good rate stands, the report is written', async () => {
    const server = await fixedDelayServer(1);
    let closed = false;
    const dir = project({
      'gauntlet.config.yaml': config,
      'cap.yaml': profile('{ startRate: 50, maxRate: 1000, warmup: 0s, stepDuration: 2s }'),
    });
    const run = await gauntlet(['capacity', 'cap.yaml'], {
      cwd: dir,
      env: { TARGET: server.url },
      timeoutMs: 60_000,
      onStdout: (chunk) => {
        if (!closed && chunk.includes('step 1 (grow): 50 req/s: good')) {
          closed = true;
          void server.close();
        }
      },
    });
    const cap = capacityOf(dir);
    expect(cap.limitedBy, run.out).toBe('target stopped answering');
    expect(cap.sustainableRps).toBe(50);
    expect(cap.steps[1]!.why).toMatch(/^no response at all/);
    expect(run.code).toBe(0);
  }, 60_000);

  it('bad input: maxRate below startRate, or no capacity block, is exit 2 with one clear line', async () => {
    const dir = project({
      'gauntlet.config.yaml': config,
      'low.yaml': profile('{ startRate: 500, maxRate: 100 }'),
      'none.yaml': profile('{ startRate: 1, maxRate: 2 }').replace(/capacity:.*\n/, ''),
    });
    const low = await gauntlet(['capacity', 'low.yaml'], { cwd: dir, env: { TARGET: 'http://127.0.0.1:1' } });
    expect(low.code).toBe(2);
    expect(low.out).toContain('capacity.maxRate: maxRate is below startRate: the search has no step to run');
    expect(hasNoStackTrace(low.out)).toBe(true);
    const none = await gauntlet(['capacity', 'none.yaml'], { cwd: dir, env: { TARGET: 'http://127.0.0.1:1' } });
    expect(none.code).toBe(2);
    expect(none.out).toContain('no capacity block');
    expect(latestReport(dir).record.status).toBe('error');
  }, 30_000);

  it('against the demo API, the search completes within its time bound', async () => {
    const stack = await startDemoStack({ rateLimitPerMinute: 1_000_000 });
    try {
      const out = project({});
      const started = Date.now();
      const run = await gauntlet(
        ['capacity', 'scenarios/capacity.ts', '--env', 'demo', '--out', join(out, 'reports')],
        { cwd: ROOT, env: stack.env, timeoutMs: 120_000 },
      );
      expect([0, 1]).toContain(run.code);
      const cap = capacityOf(out);
      expect(cap.steps.length, run.out).toBeGreaterThanOrEqual(2);
      expect(cap.sustainableRps).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(75_000);
    } finally {
      await stack.stop();
    }
  }, 150_000);
});

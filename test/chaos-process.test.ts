// process-kill against the demo API's real Node cluster under load: a worker killed, the
// primary replaces it, RTO and uptime measured by the HTTP probe, the load's verdicts kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ChaosResult } from '../src/record/schema.ts';
import { childrenOf } from '../src/targets/local/procs.ts';
import { alive } from '../src/targets/local/process.ts';
import { chromium } from 'playwright-core';
import { chartsIn } from './fixtures/report-browser.ts';
import { ROOT, gauntlet, latestReport, project, startDemoStack, type DemoStack } from './helpers.ts';

let stack: DemoStack;
beforeAll(async () => {
  stack = await startDemoStack({ rateLimitPerMinute: 100_000, workers: 2 });
}, 60_000);
afterAll(() => stack?.stop());

describe('process-kill on the demo API cluster', () => {
  it('chaos/worker-kill.yaml: one worker killed under load, replaced, verdicts on RTO, uptime and the load thresholds', async () => {
    const workers = childrenOf(stack.api.pid);
    expect(workers).toHaveLength(2);
    const out = project({});
    const run = await gauntlet(['chaos', 'chaos/worker-kill.yaml', '--env', 'demo', '--out', join(out, 'reports')], {
      cwd: ROOT,
      env: stack.env,
      timeoutMs: 90_000,
    });
    expect(run.code, run.out).toBe(0);
    const a = latestReport(out);
    const chaos = (a.record as unknown as { chaos: ChaosResult[] }).chaos[0]!;
    const killed = Number(/SIGKILL (\d+)/.exec(chaos.faults[0]!.events[0]!.what)?.[1]);
    expect(workers).toContain(killed);
    expect(alive(killed)).toBe(false);
    expect(childrenOf(stack.api.pid)).toHaveLength(2);
    expect(chaos.rollbacks[0]!.actions.join()).toMatch(/has 2 children again \(had 2\)/);
    const ids = a.record.verdicts.map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['uptime api health', 'rto 1.1']));
    expect(ids.some((id) => id.startsWith('http_req_duration'))).toBe(true);
    expect(run.out).not.toContain(stack.password);

    // The report, in Chromium: one timeline of the experiment — latency, throughput and errors,
    // probe health — every panel drawn, the fault at the injection run.json records. The probe saw
    // no outage (RTO 0): the fault is a line, not a band (the failover in demo.test.ts has one).
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
    try {
      const { errors, charts } = await chartsIn(browser, join(a.dir, 'index.html'));
      expect(errors).toEqual([]);
      expect(charts.map((c) => [c.id, c.panel])).toEqual([
        ['chart-chaos', 0], // latency
        ['chart-chaos', 1], // requests and errors
        ['chart-chaos', 2], // the write probe's ledger
        ['chart-chaos', 3], // probe health
        ['chart-load', 0], // the load section's own timeline: latency
        ['chart-load', 1], // requests and errors
        ['chart-spectrum', 0], // latency by percentile
      ]);
      const injectedS = (chaos.faults[0]!.injectedAtMs! - chaos.windowStartMs) / 1000;
      expect(chaos.faults[0]!.rtoMs).toBe(0);
      expect(charts.every((c) => c.painted)).toBe(true);
      for (const c of charts.filter((x) => x.id === 'chart-chaos')) {
        expect(c.bands.map((b) => [b.from, b.to])).toEqual([[injectedS, injectedS].map((x) => expect.closeTo(x, 2))]);
      }
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('a load that cannot start (its login refused) fails the experiment with an error verdict naming why', async () => {
    const out = project({});
    const run = await gauntlet(['chaos', 'chaos/worker-kill.yaml', '--env', 'demo', '--out', join(out, 'reports')], {
      cwd: ROOT,
      env: { ...stack.env, DEMO_PASSWORD: 'not-the-password' },
      timeoutMs: 90_000,
    });
    expect(run.code, run.out).toBe(1);
    const load = latestReport(out).record.verdicts.find((v) => v.id === 'load')!;
    expect(load.status).toBe('error');
    expect(load.detail).toMatch(/load setup step "login" failed/);
    // The fault still ran and was measured: only the claim "under load" fell.
    expect(latestReport(out).record.verdicts.find((v) => v.id === 'rto 1.1')?.status).toBe('pass');
  }, 120_000);

  // Issue 30 item 12: a hypothesis the user did not declare is not a failed one — but an
  // experiment that measured nothing at all is no-data as a whole.
  it('an experiment with no probe has no steady-state verdict; with nothing else measured it is no-data, exit 1', async () => {
    const dir = project({
      'exp.yaml': `name: no probes\nmethod:\n  - fault: { kind: process-kill, pidFile: "\${env:DEMO_API_PIDFILE}", children: true, count: 1 }\n    at: 500ms\nduration: 2s\n`,
    });
    const run = await gauntlet(['chaos', join(dir, 'exp.yaml'), '--env', 'demo', '--out', join(dir, 'reports')], {
      cwd: ROOT,
      env: stack.env,
      timeoutMs: 90_000,
    });
    expect(run.code, run.out).toBe(1);
    const verdicts = latestReport(dir).record.verdicts;
    expect(verdicts.find((x) => x.id === 'steady-state')).toBeUndefined();
    expect(verdicts.map((x) => [x.id, x.status])).toEqual([['experiment', 'no-data']]);
    expect(verdicts[0]).toMatchObject({ kind: 'experiment' });
    expect(verdicts[0]!.detail).toContain('nothing in this experiment was measured');
    expect(run.out).toContain('no steady-state hypothesis declared');
    expect(childrenOf(stack.api.pid)).toHaveLength(2);
  }, 120_000);
});

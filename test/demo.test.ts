// `gauntlet demo`, the README's first command, end to end: the stack up (API cluster, Patroni
// cluster behind HAProxy, Redis, frontend), the gate, a worker kill and a DB failover under
// load, one report, everything it started stopped.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ChaosResult } from '../src/record/schema.ts';
import { chromium } from 'playwright-core';
import { chartsIn } from './fixtures/report-browser.ts';
import { ROOT, gauntlet, latestReport, project } from './helpers.ts';
import type { DemoStackHandle } from '../src/app/demo.ts';
import type { startDemoStack } from '../examples/demo-stack/stack.ts';
import { sleep } from '../src/core/sleep.ts';

// The demo loads the stack at run time (jiti): this line fails to compile if the stack stops
// providing what the demo uses.
type StackProvidesHandle = Awaited<ReturnType<typeof startDemoStack>> extends DemoStackHandle ? true : never;
const stackProvidesHandle: StackProvidesHandle = true;
void stackProvidesHandle;

// Redis retitles itself and the API cluster's args name no temp folder: match those by what they run.
const ours = () =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /gauntlet-(ha|api|pg|redis)-|^redis-server 127\.0\.0\.1:|demo-stack\/cluster-entry\.mjs/.test(l));

describe('gauntlet demo', () => {
  it('runs the gate, a worker kill and a DB failover on the demo stack, writes one report, and leaves nothing running', async () => {
    const before = ours();
    const out = project({});
    const run = await gauntlet(['demo', '--out', join(out, 'reports')], { cwd: ROOT, timeoutMs: 300_000 });
    expect(run.code, run.out).toBe(0);
    expect(run.stdout).toMatch(/demo: stack up in [\d.]+ s/);
    expect(run.stdout).toContain('demo: stack stopped');
    const a = latestReport(out);
    const ids = a.record.verdicts.map((v) => v.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'smoke',
        'http_req_failed rate<0.01',
        'worker kill › rto 1.1',
        'db failover › rto 1.1',
        'db failover › rpo',
      ]),
    );
    const chaos = (a.record as unknown as { chaos: ChaosResult[] }).chaos;
    expect(chaos.map((c) => c.experiment)).toEqual(['API worker kill', 'db failover (leader killed)']);
    expect(chaos[1]!.faults[0]!.rtoMs).toBeGreaterThan(1000);
    expect(chaos[1]!.rollbacks[0]!.actions.join()).toMatch(/rejoined|running again/);
    expect(ours()).toEqual(before);

    // The failover's timeline in Chromium: the load, the writes and the probes on one axis, the
    // outage shaded from the injection to the recovery run.json records; the latency spike and
    // the failed product reads inside it.
    const failover = chaos[1]!;
    const f = failover.faults[0]!;
    const fromS = (f.injectedAtMs! - failover.windowStartMs) / 1000;
    const toS = (f.recoveredAtMs! - failover.windowStartMs) / 1000;
    expect(failover.load!.series.some((x) => x.failed > 0)).toBe(true);
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
    try {
      const { errors, charts } = await chartsIn(browser, join(a.dir, 'index.html'));
      expect(errors).toEqual([]);
      expect(charts.every((c) => c.painted)).toBe(true);
      const panels = charts.filter((c) => c.id === 'chart-chaos-1');
      expect(panels).toHaveLength(4); // latency, requests and errors, writes, probes
      for (const c of panels) {
        expect(c.bands).toHaveLength(1);
        expect(c.bands[0]!.from).toBeCloseTo(fromS, 2);
        expect(c.bands[0]!.to).toBeCloseTo(toS, 2);
        expect(c.bands[0]!.shadedInside).toBe(true);
        expect(c.bands[0]!.shadedBefore).toBe(false);
      }
      expect(charts.some((c) => c.id === 'chart-spectrum')).toBe(true);
    } finally {
      await browser.close();
    }
  }, 330_000);

  it('killed with SIGKILL once the stack is up, it still leaves nothing running', async () => {
    const before = ours();
    const out = project({});
    let sent = false;
    let up: string[] = [];
    const run = await gauntlet(['demo', '--out', join(out, 'reports')], {
      cwd: ROOT,
      timeoutMs: 120_000,
      onStdout: (chunk, child) => {
        if (!sent && /demo: stack up/.test(chunk)) {
          sent = true;
          up = ours();
          child.kill('SIGKILL');
        }
      },
    });
    expect(run.signal, run.out).toBe('SIGKILL');
    expect(up.length).toBeGreaterThan(before.length + 5);
    const deadline = Date.now() + 30_000;
    while (ours().length > before.length && Date.now() < deadline) await sleep(250);
    expect(ours()).toEqual(before);
  }, 180_000);
});

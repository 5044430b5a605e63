// process-kill against the demo API's real Node cluster under load: a worker killed, the
// primary replaces it, RTO and uptime measured by the HTTP probe, the load's verdicts kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ChaosResult } from '../src/record/schema.ts';
import { childrenOf } from '../src/targets/local/procs.ts';
import { alive } from '../src/targets/local/process.ts';
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
    expect(a.html).toContain('id="chart-chaos"');
    expect(run.out).not.toContain(stack.password);
  }, 120_000);
});

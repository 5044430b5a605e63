// `gauntlet compare` on two real load runs against servers of known latency.
import { describe, expect, it } from 'vitest';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fixedDelayServer } from './fixtures/servers.ts';
import { gauntlet, hasNoStackTrace, latestReport, project } from './helpers.ts';

const config = 'environments:\n  t: { baseUrl: "${env:TARGET}" }\nsmoke: []\ncompare: { latencyIncrease: 0.2 }\n';
const profile =
  "name: p\nscenario: { executor: constant-arrival-rate, rate: 100, duration: 2s }\nrequests: [{ name: r, path: / }]\nthresholds: { http_req_failed: ['rate<0.01'] }\n";

async function loadRun(dir: string, delayMs: number, out: string): Promise<string> {
  // reports/latest moves with the next run: keep the run's own directory.
  const server = await fixedDelayServer(delayMs);
  try {
    const run = await gauntlet(['load', 'p.yaml', '--out', join(dir, out)], { cwd: dir, env: { TARGET: server.url } });
    expect(run.code, run.out).toBe(0);
    return realpathSync(join(latestReport(dir, out).dir, 'run.json'));
  } finally {
    await server.close();
  }
}

describe('gauntlet compare', () => {
  it('a slower run is a latency regression (exit 1), the reverse is not (exit 0), every delta shown', async () => {
    const dir = project({ 'gauntlet.config.yaml': config, 'p.yaml': profile });
    const fast = await loadRun(dir, 5, 'a');
    const slow = await loadRun(dir, 30, 'b');
    const worse = await gauntlet(['compare', fast, slow, '--out', join(dir, 'c')], { cwd: dir });
    expect(worse.code, worse.out).toBe(1);
    expect(worse.stdout).toMatch(
      /✗ http_req_duration p95\s+[\d.]+ ms →\s+3\d\.\d+ ms\s+\+\d+\.\d%\s+\([^)]*\+20% and \+[\d.]+ ms at most/,
    );
    const record = latestReport(dir, 'c').record;
    expect(record.verdicts.find((v) => v.id === 'compare http_req_duration p95')!.status).toBe('fail');
    expect(record.verdicts.find((v) => v.id === 'compare http_req_failed rate')!.status).toBe('pass');
    const better = await gauntlet(['compare', slow, fast, '--out', join(dir, 'd')], { cwd: dir });
    expect(better.code, better.out).toBe(0);
  }, 60_000);

  it('runs of different profiles are refused (exit 2) unless --force', async () => {
    const dir = project({
      'gauntlet.config.yaml': config,
      'p.yaml': profile,
      'q.yaml': profile.replace('name: p', 'name: q'),
    });
    const a = await loadRun(dir, 5, 'a');
    const server = await fixedDelayServer(5);
    try {
      expect(
        (await gauntlet(['load', 'q.yaml', '--out', join(dir, 'b')], { cwd: dir, env: { TARGET: server.url } })).code,
      ).toBe(0);
    } finally {
      await server.close();
    }
    const b = realpathSync(join(latestReport(dir, 'b').dir, 'run.json'));
    const refused = await gauntlet(['compare', a, b, '--out', join(dir, 'c')], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('the two runs are not comparable (load profile: p vs q)');
    // With --force it compares, saying what differs (its verdicts are then judged as usual).
    const forced = await gauntlet(['compare', a, b, '--force', '--out', join(dir, 'd')], { cwd: dir });
    expect(forced.out).toContain('compare: --force: comparing runs that differ (load profile: p vs q)');
    expect(latestReport(dir, 'd').record.verdicts.map((v) => v.id)).toContain('compare http_req_duration p95');
  }, 60_000);

  it('a file that is not a run record is exit 2, one line', async () => {
    const dir = project({ 'gauntlet.config.yaml': config, 'x.json': '{"hello": 1}' });
    const run = await gauntlet(['compare', 'x.json', 'missing.json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.out).toMatch(/x\.json: not a Gauntlet run record/);
    expect(hasNoStackTrace(run.out)).toBe(true);
  });
});

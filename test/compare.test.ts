// `gauntlet compare` on two real load runs against servers of known latency.
import { describe, expect, it } from 'vitest';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failingAfterServer, fixedDelayServer } from './fixtures/servers.ts';
import { gauntlet, hasNoStackTrace, latestReport, project } from './helpers.ts';

/** The part of a run record's load these tests read (helpers type the record loosely). */
type LoadTotals = { totals: { requests: number; failed: number } } | undefined;

const config = 'environments:\n  t: { baseUrl: "${env:TARGET}" }\nsmoke: []\ncompare: { latencyIncrease: 0.2 }\n';
const profile =
  "name: p\nscenario: { executor: constant-arrival-rate, rate: 100, duration: 2s }\nrequests: [{ name: r, path: / }]\nthresholds: { http_req_failed: ['rate<0.01'] }\n";

/**
 * A load run's record. `judged`: the run must pass (its verdicts are compared); otherwise only its
 * record matters (a busy machine may fail its generator verdict) — it must hold the load.
 */
async function loadRun(dir: string, delayMs: number, out: string, judged = true): Promise<string> {
  // reports/latest moves with the next run: keep the run's own directory.
  const server = await fixedDelayServer(delayMs);
  try {
    const run = await gauntlet(['load', 'p.yaml', '--out', join(dir, out)], { cwd: dir, env: { TARGET: server.url } });
    if (judged) expect(run.code, run.out).toBe(0);
    else expect((latestReport(dir, out).record.load as LoadTotals)?.totals.requests, run.out).toBe(200);
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

  it('profiles that share a name but not their rate are refused (exit 2), the difference named, unless --force', async () => {
    const dir = project({
      'gauntlet.config.yaml': config,
      'p.yaml': profile,
      'q.yaml': profile.replace('rate: 100', 'rate: 300'),
    });
    const a = await loadRun(dir, 5, 'a', false);
    const server = await fixedDelayServer(5);
    try {
      const q = await gauntlet(['load', 'q.yaml', '--out', join(dir, 'b')], { cwd: dir, env: { TARGET: server.url } });
      expect((latestReport(dir, 'b').record.load as LoadTotals)?.totals.requests, q.out).toBe(600);
    } finally {
      await server.close();
    }
    const b = realpathSync(join(latestReport(dir, 'b').dir, 'run.json'));
    const refused = await gauntlet(['compare', a, b, '--out', join(dir, 'c')], { cwd: dir });
    expect(refused.code, refused.out).toBe(2);
    expect(refused.out).toMatch(
      /the two runs are not comparable \(profile SHA-256: [0-9a-f]{12} vs [0-9a-f]{12}; scenario rate: 100 vs 300\)/,
    );
    expect(hasNoStackTrace(refused.out)).toBe(true);
    // With --force it compares, saying what differs (its verdicts are then judged as usual).
    const forced = await gauntlet(['compare', a, b, '--force', '--out', join(dir, 'd')], { cwd: dir });
    expect(forced.out).toContain('compare: --force: comparing runs that differ (profile SHA-256:');
    expect(latestReport(dir, 'd').record.verdicts.map((v) => v.id)).toContain('compare http_req_duration p95');
  }, 60_000);

  it('requests refused fast are not a faster service: p95 not comparable, failed requests and answered/s fail', async () => {
    const dir = project({ 'gauntlet.config.yaml': config, 'p.yaml': profile });
    const base = await loadRun(dir, 30, 'a', false);
    // The app died: every request answered 500 at once.
    const dead = await failingAfterServer(0);
    let next: string;
    try {
      const run = await gauntlet(['load', 'p.yaml', '--out', join(dir, 'b')], { cwd: dir, env: { TARGET: dead.url } });
      expect((latestReport(dir, 'b').record.load as LoadTotals)?.totals.failed, run.out).toBe(200);
      next = realpathSync(join(latestReport(dir, 'b').dir, 'run.json'));
    } finally {
      await dead.close();
    }
    const cmp = await gauntlet(['compare', base, next, '--out', join(dir, 'c')], { cwd: dir });
    expect(cmp.code, cmp.out).toBe(1);
    expect(cmp.stdout).toMatch(/≠ http_req_duration p95 .*\(not comparable: failed requests rose 0\.00% → 100\.00%/);
    expect(cmp.stdout).toMatch(/✗ http_req_failed rate\s+0\.00% →\s+100\.00%/);
    expect(cmp.stdout).toMatch(/✗ throughput \(answered without failure\)\s+[\d.]+ req\/s →\s+0\.0 req\/s/);
    const v = latestReport(dir, 'c').record.verdicts.find((x) => x.id === 'compare http_req_duration p95')!;
    expect([(v as { kind?: string }).kind, v.status]).toEqual(['compare', 'fail']);
    expect(v.detail).toMatch(/^not comparable: failed requests rose/);
  }, 60_000);

  it('a version-1 run record is refused in one line saying why (exit 2)', async () => {
    const dir = project({ 'gauntlet.config.yaml': config, 'p.yaml': profile });
    const a = await loadRun(dir, 5, 'a', false);
    const old = JSON.parse(readFileSync(a, 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ ...old, schemaVersion: 1 }));
    const run = await gauntlet(['compare', 'old.json', a], { cwd: dir });
    expect(run.code, run.out).toBe(2);
    expect(run.out).toMatch(/old\.json: a version-1 run record \(Gauntlet [^)]+\); compare reads version 2/);
    expect(hasNoStackTrace(run.out)).toBe(true);
  }, 60_000);

  it('a file that is not a run record is exit 2, one line', async () => {
    const dir = project({ 'gauntlet.config.yaml': config, 'x.json': '{"hello": 1}' });
    const run = await gauntlet(['compare', 'x.json', 'missing.json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.out).toMatch(/x\.json: not a Gauntlet run record/);
    expect(hasNoStackTrace(run.out)).toBe(true);
  });
});

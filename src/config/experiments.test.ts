import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ExitCode, GauntletError } from '../core/errors.ts';
import { PlannedFiles } from '../plan/files.ts';
import type { ChaosResult } from '../record/schema.ts';
import { chaosVerdicts } from '../slo/chaos.ts';
import { loadConfig } from './load.ts';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-exp-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The experiment as a run gets it: the config loaded, the file read by the plan stage's PlannedFiles. */
async function experiment(configYaml: string, expYaml: string) {
  const cwd = project({ 'gauntlet.config.yaml': configYaml, 'exp.yaml': expYaml });
  const loaded = await loadConfig({ cwd, flags: {}, env: {} });
  return new PlannedFiles(loaded, cwd).experiment('exp.yaml');
}

const env = 'environments:\n  e: { baseUrl: "http://127.0.0.1:1" }\n';
const kill = 'method: [{ fault: { kind: process-kill, pidFile: /tmp/x.pid } }]\nduration: 5s\n';
const httpProbe = 'probes: [{ kind: http, name: api }]\n';

/** A finished experiment whose http probe was healthy for `healthyMs` of 60 s. */
function ran(healthyMs: number): ChaosResult {
  return {
    experiment: 'x',
    dryRun: false,
    windowStartMs: 0,
    windowEndMs: 60_000,
    steadyState: { before: 'met', after: 'met' },
    faults: [],
    probes: [
      {
        name: 'api',
        kind: 'http',
        intervalMs: 1000,
        total: 60,
        ok: healthyMs / 1000,
        healthyMs,
        coveredMs: 60_000,
        samples: [],
      },
    ],
    rollbacks: [],
  };
}

async function configError(run: () => Promise<unknown>): Promise<GauntletError> {
  const e = await run().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GauntletError);
  expect((e as GauntletError).exitCode).toBe(ExitCode.badConfig);
  return e as GauntletError;
}

describe('config-level SLOs are the defaults of experiments that set none (issue 30 item 6)', () => {
  it('an experiment without slos inherits the config’s; uptime "99.9%" fails 50 % uptime and passes 100 %', async () => {
    const exp = await experiment(
      `${env}slos: { uptime: "99.9%", rto: "30s", rpo: "0 writes" }\n`,
      `name: x\n${httpProbe}${kill}`,
    );
    expect(exp.slos.uptime).toEqual({ metric: 'uptime', unit: 'ratio', op: '>=', value: 0.999 });
    expect(exp.slos.rto).toEqual({ metric: 'rto', unit: 'ms', op: '<=', value: 30_000 });
    // No db-write probe and no restore: nothing measures data loss, so the config's RPO does not apply.
    expect(exp.slos.rpo).toBeUndefined();
    expect(exp.inheritedSlos).toEqual(['rto', 'uptime']);
    const uptime = (healthyMs: number) =>
      chaosVerdicts(ran(healthyMs), exp.slos).find((v) => v.id === 'uptime api') ?? { status: 'absent' };
    expect(uptime(30_000)).toMatchObject({ status: 'fail', objective: 'uptime >=99.9%' });
    expect(uptime(60_000)).toMatchObject({ status: 'pass' });
  });

  it('the experiment’s own objectives win, key by key; uptime and RPO only where the experiment measures them', async () => {
    const exp = await experiment(
      `${env}slos: { uptime: "99.9%", rto: "30s", rpo: "<1s" }\n`,
      `name: x\nprobes: [{ kind: db-write, name: w }]\n${kill}slos: { rto: "<5s" }\n`,
    );
    expect(exp.slos).toEqual({
      rto: { metric: 'rto', unit: 'ms', op: '<', value: 5000 },
      rpo: { metric: 'rpo', unit: 'ms', op: '<', value: 1000 },
    });
    expect(exp.inheritedSlos).toEqual(['rpo']);
  });

  it('a config objective that inverts its metric is a config error at its file and key', async () => {
    const e = await configError(() => experiment(`${env}slos: { uptime: "<=99.9%" }\n`, `name: x\n${kill}`));
    expect(e.details).toEqual([
      'gauntlet.config.yaml:3:17 slos.uptime: uptime "<=99.9%" would pass a worse uptime and fail a better one (uptime is at least): write ">=99.9%"',
    ]);
  });
});

describe('objectives in experiments and the DR plan are parsed once, by the schema (issue 30 item 1)', () => {
  it('an experiment’s ambiguous objective is refused at its line and key, saying what to write', async () => {
    const e = await configError(() =>
      experiment(env, `name: x\n${httpProbe}${kill}slos: { uptime: "99.9", rto: "30" }\n`),
    );
    expect(e.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^exp\.yaml:\d+:\d+ slos\.rto: RTO "30" is a number without a unit .*: write "<=30s"$/),
        expect.stringMatching(
          /^exp\.yaml:\d+:\d+ slos\.uptime: uptime "99\.9" is a number without a unit .*: write ">=99\.9%"$/,
        ),
      ]),
    );
    expect(e.details).toHaveLength(2);
  });

  it('the DR plan’s objectives: "soon" and a count of writes are refused when the config is read', async () => {
    const cwd = project({
      'gauntlet.config.yaml': `${env}drill: { plan: { rto: "soon", rpo: "0 writes" }, scenarios: [{ name: a, experiment: exp.yaml }] }\n`,
    });
    const e = await configError(() => loadConfig({ cwd, flags: {}, env: {} }));
    expect(e.details).toEqual([
      expect.stringMatching(/ drill\.plan\.rto: RTO "soon" is not a duration .*: write "<=30s"$/),
      expect.stringMatching(/ drill\.plan\.rpo: expected a time span, e\.g\. "<1h"/),
    ]);
  });

  it('an abort floor and a prometheus probe objective arrive parsed', async () => {
    const exp = await experiment(
      env,
      `name: x\nprobes: [{ kind: http, name: api }, { kind: prometheus, name: errs, query: up, objective: "<0.01" }]\n${kill}abort: { uptimeBelow: 50% }\n`,
    );
    expect(exp.abort.uptimeBelow).toBe(0.5);
    expect(exp.probes[1]).toMatchObject({ objective: { op: '<', value: 0.01 } });
  });
});

describe('config format versions (issue 30 item 14)', () => {
  const restore = (tables: string, version = '') =>
    `${version}name: r\nmethod:\n  - fault:\n      kind: backup-restore\n      backup: { method: latest, dir: /backups }\n      tables: ${tables}\n      verify: [{ name: canary, sql: "select 1" }]\nduration: 5s\n`;
  let stderr: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    stderr = [];
  });
  const captureStderr = () =>
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });

  it('format 1’s `tables: [orders]` in a restore without a source snapshot is read on, with one deprecation line', async () => {
    captureStderr();
    const exp = await experiment(env, restore('[orders, { name: items, rows: 3 }]'));
    const fault = exp.method[0]!.fault;
    expect(fault.kind === 'backup-restore' && { tables: fault.tables, verify: fault.verify }).toEqual({
      tables: [{ name: 'items', rows: 3 }],
      verify: [
        { name: 'canary', sql: 'select 1' },
        { name: 'orders has rows', sql: 'select 1 from orders limit 1' },
      ],
    });
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(
      /^deprecated: exp\.yaml:6:\d+ method\.0\.fault\.tables\.0: "orders" without rows \(config format 1\) is read as verify: .*write \{ name: orders, rows: N \}.*version: 2 \(README "Config changes"\)\n$/,
    );
  });

  it('a file that declares version 2 is refused the old shape, with the migration spelled out', async () => {
    captureStderr();
    const e = await configError(() => experiment(env, restore('[orders]', 'version: 2\n')));
    expect(e.details).toEqual([
      expect.stringMatching(
        /^exp\.yaml:\d+:\d+ method\.0\.fault\.tables\.0: expected \{ name: orders, rows: N \}: with backup method "latest" .*README "Config changes"\)$/,
      ),
    ]);
    expect(stderr).toEqual([]);
  });

  it('today’s shape reads without a word, in either format; an unknown version is refused', async () => {
    captureStderr();
    for (const version of ['', 'version: 1\n', 'version: 2\n'])
      expect((await experiment(env, restore('[{ name: orders, rows: 3 }]', version))).method).toHaveLength(1);
    expect(stderr).toEqual([]);
    const e = await configError(() => experiment(env, restore('[{ name: orders, rows: 3 }]', 'version: 3\n')));
    expect(e.details[0]).toMatch(/ version: /);
    const c = await configError(async () =>
      loadConfig({ cwd: project({ 'gauntlet.config.yaml': `version: 3\n${env}` }), flags: {}, env: {} }),
    );
    expect(c.details[0]).toMatch(/^gauntlet\.config\.yaml:1:\d+ version: /);
  });
});

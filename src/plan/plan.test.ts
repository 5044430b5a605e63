import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../config/load.ts';
import { planRun } from './plan.ts';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-plan-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const config = (env: string) => `environments:
  e: ${env}
gate: { smoke: true, load: gate.yaml }
drill: { plan: { rto: "<2h", rpo: "<1h" }, scenarios: [{ name: x, experiment: exp.yaml }] }
`;
const sqlProfile = `name: q
scenario: { executor: constant-vus, vus: 1, duration: 1s }
requests: [{ name: lookup, kind: postgres, sql: "select 1" }]
`;
const suite = 'name: s\nchecks: [{ kind: http, name: home, path: / }]\n';

async function plan(files: Record<string, string>, inputs: Parameters<typeof planRun>[2], extraEnv = {}) {
  const cwd = project(files);
  const env = { PG_URL: 'postgres://u:p@127.0.0.1:1/d', ...extraEnv };
  const loaded = await loadConfig({ cwd, flags: {}, env });
  return Object.assign(await planRun(loaded, { cwd, env }, inputs), { cwd });
}

describe('the plan stage', () => {
  it('passes a sound gate: its suites and profile counted, nothing to say', async () => {
    const p = await plan(
      {
        'gauntlet.config.yaml': config('{ baseUrl: "http://127.0.0.1:1", postgres: { url: "${env:PG_URL}" } }'),
        'smoke/a.smoke.yaml': suite,
        'gate.yaml': sqlProfile,
      },
      { gate: true, environment: true },
    );
    expect(p.problems).toEqual([]);
    expect(p).toMatchObject({ suites: 1, checks: 1, profiles: 1, experiments: 0 });
  });

  it('finds every problem at once, in the parts the command runs and no others', async () => {
    const files = {
      'gauntlet.config.yaml': config('{ baseUrl: "ftp://127.0.0.1:1" }'),
      'smoke/a.smoke.yaml': suite,
      'gate.yaml': sqlProfile,
      'exp.yaml': 'name: x\nmethod: [{ fault: { kind: nope } }]\n',
    };
    const gate = await plan(files, { gate: true, environment: true, engine: 'k7' });
    expect(gate.problems).toEqual([
      'environments.e.baseUrl: expected an http:// or https:// URL, got "ftp://127.0.0.1:1"',
      'unknown load engine "k7": expected one of embedded, k6, kubernetes, k6-operator',
    ]);
    // The environment did not resolve, so the SQL request's URL is not judged; with a good one it is.
    files['gauntlet.config.yaml'] = config('{ baseUrl: "http://127.0.0.1:1" }');
    const again = await plan(files, { gate: true, environment: true });
    expect(again.problems).toEqual([
      expect.stringMatching(
        /gate\.yaml: request "lookup" is a postgres statement but has no url and the environment has no postgres\.url$/,
      ),
    ]);
    expect(gate.exitCode).toBe(2);
    const drill = await plan(files, { drill: true, environment: true });
    // (The DR plan's objectives are the config's schema's: src/config/experiments.test.ts.)
    expect(drill.problems.join('\n')).toMatch(/exp\.yaml/);
  });

  it('a container beside the image under test will give the postgres URL: not a problem', async () => {
    const p = await plan(
      {
        'gauntlet.config.yaml': config(
          '{ baseUrl: "http://127.0.0.1:1", container: { image: "api:1", postgres: { image: "postgres:17" } } }',
        ),
        'smoke/a.smoke.yaml': suite,
        'gate.yaml': sqlProfile,
      },
      { gate: true, environment: true },
    );
    expect(p.problems).toEqual([]);
  });

  it('a tool missing to run with is exit 3, not a config error', async () => {
    const p = await plan(
      { 'gauntlet.config.yaml': config('{ baseUrl: "http://127.0.0.1:1" }'), 'gate.yaml': sqlProfile },
      { environment: true, engine: 'k6' },
      { K6_PATH: '/nonexistent/k6' },
    );
    expect(p.problems).toEqual(['K6_PATH=/nonexistent/k6 is not an executable file']);
    expect(p.exitCode).toBe(3);
  });

  it('hands the run what it checked: a file changed after the plan is not read again', async () => {
    const p = await plan(
      {
        'gauntlet.config.yaml': config('{ baseUrl: "http://127.0.0.1:1", postgres: { url: "${env:PG_URL}" } }'),
        'smoke/a.smoke.yaml': suite,
        'gate.yaml': sqlProfile,
      },
      { gate: true, smoke: true, environment: true },
    );
    expect(p.problems).toEqual([]);
    writeFileSync(join(p.cwd, 'gate.yaml'), 'not: a profile\n');
    writeFileSync(join(p.cwd, 'smoke/a.smoke.yaml'), 'name: s\nchecks: []\n');
    const profile = await p.files.profile(join(p.cwd, 'gate.yaml'));
    expect(profile.requests.map((r) => r.name)).toEqual(['lookup']);
    expect((await p.files.suites()).map((s) => s.checks.length)).toEqual([1]);
    // A file the plan never saw is read when asked for, and checked the same way.
    writeFileSync(join(p.cwd, 'other.yaml'), 'not: a profile\n');
    await expect(p.files.profile('other.yaml')).rejects.toThrow(/problem\(s\) in the load profile/);
  });
});

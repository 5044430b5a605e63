// The CI templates in ci/ are checked by real tools: actionlint (built from the Go module proxy
// by scripts/setup.sh) for GitHub Actions; GitLab's own CI schema (check-jsonschema's vendored
// copy, installed by setup) plus the keys Gauntlet's jobs need for GitLab.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { ROOT, project } from './helpers.ts';
import { GITLAB_REPORT } from '../src/report/k6-summary.ts';

const ACTIONLINT = process.env.ACTIONLINT ?? join(homedir(), '.cache', 'gauntlet', 'bin', 'actionlint');
const CHECK_JSONSCHEMA =
  process.env.CHECK_JSONSCHEMA ?? join(homedir(), '.cache', 'gauntlet', 'py', 'bin', 'check-jsonschema');
const gitlabSchemaCheck = (file: string) =>
  promisify(execFile)(CHECK_JSONSCHEMA, ['--builtin-schema', 'vendor.gitlab-ci', file]).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
const lint = (files: string[]) =>
  promisify(execFile)(ACTIONLINT, ['-no-color', ...files]).then(
    () => ({ code: 0, out: '' }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
  );

describe('GitHub Actions templates', () => {
  const dir = join(ROOT, 'ci', 'github');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(dir, f));

  it('the gate, the nightly capacity and the DR drill pass actionlint', async () => {
    expect(files.map((f) => f.split('/').pop()).sort()).toEqual([
      'dr-drill.yml',
      'nightly-capacity.yml',
      'post-deploy-gate.yml',
    ]);
    const r = await lint(files);
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('actionlint really lints: a broken copy is rejected', async () => {
    const broken = join(project({}), 'broken.yml');
    writeFileSync(
      broken,
      readFileSync(files[0]!, 'utf8').replace(
        'runs-on: ubuntu-latest',
        'runs-on: ubuntu-latest\n    timeout-minutes: soon',
      ),
    );
    const r = await lint([broken]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/timeout-minutes/);
  });

  it('each uploads the report, feeds JUnit to a test view, and fails on the gauntlet exit code', () => {
    for (const f of files) {
      const wf = parse(readFileSync(f, 'utf8')) as {
        jobs: Record<string, { steps: { uses?: string; run?: string; with?: Record<string, string>; if?: string }[] }>;
      };
      const steps = Object.values(wf.jobs)[0]!.steps;
      expect(
        steps.some((s) => s.uses?.startsWith('actions/upload-artifact') && s.if === 'always()'),
        f,
      ).toBe(true);
      expect(
        steps.some(
          (s) => s.uses?.startsWith('mikepenz/action-junit-report') && /junit\.xml$/.test(s.with?.report_paths ?? ''),
        ),
        f,
      ).toBe(true);
      // No `|| true` or continue-on-error: the verdict's exit code fails the job.
      expect(readFileSync(f, 'utf8')).not.toMatch(/\|\| true|continue-on-error/);
      expect(
        steps.some((s) => /npx gauntlet (gate|capacity|chaos|drill)/.test(s.run ?? '')),
        f,
      ).toBe(true);
    }
  });
});

describe('GitLab CI template', () => {
  const template = join(ROOT, 'ci', 'gitlab', 'gauntlet.gitlab-ci.yml');
  it("passes GitLab's CI schema (check-jsonschema's vendored copy), load_performance report included", async () => {
    const r = await gitlabSchemaCheck(template);
    expect(r.out).toContain('ok -- validation done');
    expect(r.code).toBe(0);
  });

  it('the schema check really checks: a load_performance report that is not a path, or a bad `when`, is rejected', async () => {
    const dir = project({});
    for (const [from, to, complaint] of [
      [
        'load_performance: reports/latest/gl-load-performance-report.json',
        'load_performance: { file: x }',
        /load_performance/,
      ],
      ['when: always', 'when: sometimes', /when/],
    ] as const) {
      const broken = join(dir, `broken-${complaint.source}.yml`);
      const text = readFileSync(template, 'utf8');
      expect(text).toContain(from);
      writeFileSync(broken, text.replaceAll(from, to));
      const r = await gitlabSchemaCheck(broken);
      expect(r.code, r.out).toBe(1);
      expect(r.out).toMatch(complaint);
    }
  });

  it('parses, and each job has a script, the JUnit report, artifacts kept on failure, and rules', () => {
    const doc = parse(readFileSync(template, 'utf8')) as Record<
      string,
      {
        extends?: string;
        script?: string[];
        rules?: unknown[];
        artifacts?: { when?: string; reports?: { junit?: string; load_performance?: string } };
      }
    >;
    const base = doc['.gauntlet']!;
    const jobs = Object.entries(doc).filter(([k]) => k.startsWith('gauntlet-'));
    expect(jobs.map(([k]) => k)).toEqual(['gauntlet-gate', 'gauntlet-capacity', 'gauntlet-drill']);
    for (const [name, job] of jobs) {
      expect(job.extends, name).toBe('.gauntlet');
      expect(
        job.script?.some((l) => l.startsWith('npx gauntlet ')),
        name,
      ).toBe(true);
      expect(job.rules?.length, name).toBeGreaterThan(0);
      // GitLab's `extends` merges hashes deeply: the job's artifacts over the base's.
      const artifacts = {
        ...base.artifacts,
        ...job.artifacts,
        reports: { ...base.artifacts?.reports, ...job.artifacts?.reports },
      };
      expect(artifacts.when, name).toBe('always');
      expect(artifacts.reports?.junit, name).toMatch(/junit\.xml$/);
    }
    // The gate feeds GitLab's load-performance widget the file the k6-summary reporter writes
    // (its own artifacts are merged with the base's by `extends`, junit included).
    const gate = doc['gauntlet-gate']!;
    expect(gate.artifacts?.reports?.load_performance).toBe('reports/latest/gl-load-performance-report.json');
    expect(gate.artifacts?.reports?.load_performance).toBe(`reports/latest/${GITLAB_REPORT}`);
  });
});

describe('the import rules', () => {
  it('dependency-cruiser really enforces them: a verdict module importing a report module, or a cycle, fails', async () => {
    const dir = project({
      'tsconfig.json': JSON.stringify({ compilerOptions: { allowImportingTsExtensions: true, noEmit: true } }),
      'src/slo/verdict.ts': "import { render } from '../report/render.ts';\nexport const v = render;\n",
      'src/report/render.ts': "import { a } from './a.ts';\nexport const render = a;\n",
      'src/report/a.ts': "import { render } from './render.ts';\nexport const a = () => render;\n",
    });
    const r = await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/depcruise'),
      ['src', '--config', join(ROOT, '.dependency-cruiser.cjs')],
      { cwd: dir },
    ).then(
      () => ({ code: 0, out: '' }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('slo-not-to-plan-report-run-targets-app-cli: src/slo/verdict.ts → src/report/render.ts');
    expect(r.out).toMatch(/no-circular: src\/report\/(a|render)\.ts/);
  });
});

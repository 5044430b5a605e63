// JUnit XML as GitHub, GitLab and Jenkins parse it: a testcase per check and per verdict, unique names.
import type { RunRecord } from '../record/schema.ts';
import { escapeXml as x } from './escape.ts';
import type { Reporter } from './reporter.ts';

const secs = (ms: number) => (ms / 1000).toFixed(3);

export const junitReporter: Reporter = {
  name: 'junit',
  render(record) {
    return [{ path: 'junit.xml', content: renderJunit(record) }];
  },
};

export function renderJunit(r: RunRecord): string {
  const suites: string[] = [];
  const bySuite = new Map<string, RunRecord['checks']>();
  for (const c of r.checks) bySuite.set(c.suite, [...(bySuite.get(c.suite) ?? []), c]);
  for (const [suite, checks] of bySuite) {
    const failures = checks.filter((c) => c.status === 'failed').length;
    const time = checks.reduce((t, c) => t + c.durationMs, 0);
    const cases = checks.map((c) => {
      const body =
        c.status === 'failed'
          ? `\n      <failure message="${x(c.reason ?? 'failed')}" type="${x(c.kind)}">${x(c.expectations.map((e) => `${e.ok ? 'ok  ' : 'FAIL'} ${e.what}${e.actual !== undefined ? ` (got ${e.actual})` : ''}`).join('\n'))}</failure>\n    `
          : '';
      return `    <testcase name="${x(c.name)}" classname="${x(`smoke.${suite}`)}" time="${secs(c.durationMs)}"${c.file ? ` file="${x(c.file)}"` : ''}>${body}</testcase>`;
    });
    suites.push(
      `  <testsuite name="${x(`smoke: ${suite}`)}" tests="${checks.length}" failures="${failures}" errors="0" skipped="0" time="${secs(time)}" timestamp="${x(r.startedAt)}">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  const vf = r.verdicts.filter((v) => v.status !== 'pass').length;
  const vcases = r.verdicts.map((v) => {
    const body =
      v.status === 'pass'
        ? ''
        : `\n      <failure message="${x(`${v.status}: ${v.objective}${v.observed ? `, observed ${v.observed}` : ''}`)}" type="${x(v.status)}">${x(v.detail ?? '')}</failure>\n    `;
    return `    <testcase name="${x(`${v.id}: ${v.objective}`)}" classname="verdicts" time="0">${body}</testcase>`;
  });
  const harnessErrors = r.errors.length
    ? `\n  <testsuite name="harness" tests="1" failures="0" errors="1" skipped="0" time="0" timestamp="${x(r.startedAt)}">\n    <testcase name="harness ran" classname="harness" time="0">\n      <error message="${x(r.errors[0])}" type="${x(r.status)}">${x(r.errors.join('\n'))}</error>\n    </testcase>\n  </testsuite>`
    : '';
  suites.push(
    `  <testsuite name="verdicts" tests="${r.verdicts.length}" failures="${vf}" errors="0" skipped="0" time="0" timestamp="${x(r.startedAt)}">\n${vcases.join('\n')}\n  </testsuite>${harnessErrors}`,
  );
  const tests = r.checks.length + r.verdicts.length + (r.errors.length ? 1 : 0);
  const failures = r.checks.filter((c) => c.status === 'failed').length + vf;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${x(`gauntlet ${r.command} ${r.environment.name}`)}" tests="${tests}" failures="${failures}" errors="${r.errors.length ? 1 : 0}" time="${secs(r.durationMs)}">\n${suites.join('\n')}\n</testsuites>\n`;
}

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

/** `<testsuite …>` around its cases (already indented), every suite stamped with the run's start. */
function testsuite(
  r: RunRecord,
  name: string,
  counts: { tests: number; failures: number; errors?: number; time: string },
) {
  const errors = counts.errors ?? 0;
  return (cases: string) =>
    `  <testsuite name="${x(name)}" tests="${counts.tests}" failures="${counts.failures}" errors="${errors}" skipped="0" ` +
    `time="${counts.time}" timestamp="${x(r.startedAt)}">\n${cases}\n  </testsuite>`;
}

/** A `<failure>` or `<error>` element inside a testcase, on its own lines. */
const problem = (tag: 'failure' | 'error', message: string, type: string, text: string) =>
  `\n      <${tag} message="${x(message)}" type="${x(type)}">${x(text)}</${tag}>\n    `;

export function renderJunit(r: RunRecord): string {
  const suites: string[] = [];
  const bySuite = new Map<string, RunRecord['checks']>();
  for (const c of r.checks) bySuite.set(c.suite, [...(bySuite.get(c.suite) ?? []), c]);
  for (const [suite, checks] of bySuite) {
    const failures = checks.filter((c) => c.status === 'failed').length;
    const time = checks.reduce((t, c) => t + c.durationMs, 0);
    const cases = checks.map((c) => {
      const lines = c.expectations.map(
        (e) => `${e.ok ? 'ok  ' : 'FAIL'} ${e.what}${e.actual !== undefined ? ` (got ${e.actual})` : ''}`,
      );
      const body = c.status === 'failed' ? problem('failure', c.reason ?? 'failed', c.kind, lines.join('\n')) : '';
      const file = c.file ? ` file="${x(c.file)}"` : '';
      return `    <testcase name="${x(c.name)}" classname="${x(`smoke.${suite}`)}" time="${secs(c.durationMs)}"${file}>${body}</testcase>`;
    });
    suites.push(
      testsuite(r, `smoke: ${suite}`, { tests: checks.length, failures, time: secs(time) })(cases.join('\n')),
    );
  }
  const vf = r.verdicts.filter((v) => v.status !== 'pass').length;
  const vcases = r.verdicts.map((v) => {
    const message = `${v.status}: ${v.objective}${v.observed ? `, observed ${v.observed}` : ''}`;
    const body = v.status === 'pass' ? '' : problem('failure', message, v.status, v.detail ?? '');
    return `    <testcase name="${x(`${v.id}: ${v.objective}`)}" classname="verdicts" time="0">${body}</testcase>`;
  });
  const harnessErrors = r.errors.length
    ? `\n${testsuite(r, 'harness', { tests: 1, failures: 0, errors: 1, time: '0' })(
        `    <testcase name="harness ran" classname="harness" time="0">${problem('error', r.errors[0]!, r.status, r.errors.join('\n'))}</testcase>`,
      )}`
    : '';
  suites.push(
    testsuite(r, 'verdicts', { tests: r.verdicts.length, failures: vf, time: '0' })(vcases.join('\n')) + harnessErrors,
  );
  const tests = r.checks.length + r.verdicts.length + (r.errors.length ? 1 : 0);
  const failures = r.checks.filter((c) => c.status === 'failed').length + vf;
  const name = `gauntlet ${r.command} ${r.environment.name}`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="${x(name)}" tests="${tests}" failures="${failures}" errors="${r.errors.length ? 1 : 0}" time="${secs(r.durationMs)}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}

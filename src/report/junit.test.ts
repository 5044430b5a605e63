import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../record/schema.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { aVerdict } from '../slo/verdict.test-util.ts';

const record: RunRecord = {
  schemaVersion: 2,
  runId: 'r1',
  command: 'smoke',
  status: 'failed',
  exitCode: 1,
  tool: { name: 'gauntlet', version: '0.1.0', node: 'v20' },
  environment: { name: 'e', baseUrl: 'http://x' },
  config: { file: 'c.yaml', digest: 'd' },
  host: 'h',
  startedAt: '2026-01-01T00:00:00.000Z',
  endedAt: '2026-01-01T00:00:01.000Z',
  durationMs: 1000,
  checks: [
    {
      suite: 's',
      name: 'ok',
      kind: 'http',
      status: 'passed',
      startedAtMs: 0,
      durationMs: 5,
      attempts: 1,
      expectations: [],
      captured: [],
    },
    {
      suite: 's',
      name: 'bad "one" <x>',
      kind: 'http',
      status: 'failed',
      reason: 'got 500 | & \u0000',
      startedAtMs: 5,
      durationMs: 7,
      attempts: 1,
      expectations: [{ what: 'status is 2xx', ok: false, actual: '500' }],
      captured: [],
    },
  ],
  verdicts: [
    aVerdict({
      id: 'smoke',
      kind: 'smoke',
      objective: 'all smoke checks pass',
      status: 'fail',
      observed: '1/2 passed',
    }),
  ],
  errors: [],
};

describe('JUnit', () => {
  it('one testcase per check and per verdict, counts right, text escaped, XML-invalid characters replaced', () => {
    const xml = renderJunit(record);
    expect(xml).toMatch(/<testsuites name="gauntlet smoke e" tests="3" failures="2" errors="0"/);
    expect(xml).toContain('<testsuite name="smoke: s" tests="2" failures="1"');
    expect(xml).toContain('<testcase name="bad &quot;one&quot; &lt;x&gt;" classname="smoke.s" time="0.007">');
    expect(xml).toContain('message="got 500 | &amp; \uFFFD"');
    expect(xml).toContain('<testcase name="smoke: all smoke checks pass" classname="verdicts"');
    expect(xml).not.toMatch(/\u0000/);
  });
});

describe('Markdown', () => {
  it('a verdict table and the failed checks, pipes escaped', () => {
    const md = renderMarkdown(record);
    expect(md).toContain('## ❌ Gauntlet smoke: FAILED on `e`');
    expect(md).toContain('| ❌ | smoke | all smoke checks pass | 1/2 passed |');
    expect(md).toContain('got 500 \\| &');
  });
});

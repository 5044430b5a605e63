import { describe, expect, it } from 'vitest';
import type { RunRecord, Verdict } from '../record/schema.ts';
import { githubAnnotations } from './console.ts';
import { aVerdict } from '../slo/verdict.test-util.ts';

const v = (id: string, status: Verdict['status'], observed?: string): Verdict =>
  aVerdict({ id, kind: 'threshold', objective: 'p(95)<50', status, ...(observed ? { observed } : {}) });
const run = (verdicts: Verdict[], errors: string[] = []) =>
  ({ command: 'gate', verdicts, errors }) as unknown as RunRecord;

describe('GitHub annotations', () => {
  it('one ::error per verdict not passing, its properties and message escaped as GitHub requires', () => {
    expect(
      githubAnnotations(
        run([
          v('ok', 'pass', 'x'),
          v('http_req_duration{name:a,b} p(95)<50', 'fail', '100% of 3\nlines'),
          v('rpo', 'no-data'),
        ]),
      ),
    ).toEqual([
      '::error title=Gauntlet gate%3A http_req_duration{name%3Aa%2Cb} p(95)<50 (fail)::observed 100%25 of 3%0Alines — objective p(95)<50',
      '::error title=Gauntlet gate%3A rpo (no-data)::no-data — objective p(95)<50',
    ]);
  });

  it('at most ten errors, a harness error first, then a notice of how many more', () => {
    const lines = githubAnnotations(
      run(
        Array.from({ length: 13 }, (_, i) => v(`t${i}`, 'fail', '1')),
        ['target unreachable'],
      ),
    );
    expect(lines[0]).toBe('::error title=Gauntlet gate could not finish::target unreachable');
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(10);
    expect(lines.at(-1)).toBe('::notice::4 more failing verdicts are in the report');
  });

  it('nothing when everything passed', () => {
    expect(githubAnnotations(run([v('a', 'pass', '1')]))).toEqual([]);
  });
});

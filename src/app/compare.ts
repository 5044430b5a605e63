// `gauntlet compare <base.json> <new.json>`: two run records of the same run (same profile bytes,
// scenario, engine, socket loop, environment, record version; both finished), per-metric deltas
// against the config's regression limits beyond noise, and the verdicts that changed; exit 1 on a
// regression, exit 2 when the two runs are not comparable (unless --force).
import { resolve } from 'node:path';
import type { Flags } from '../config/load.ts';
import { configError } from '../core/errors.ts';
import { readRunRecord } from '../record/read.ts';
import { change, formatValue, judgeCompare } from '../slo/compare.ts';
import { runSession, type Finished, type Io } from './session.ts';

export function compareApp(baseFile: string, nextFile: string, flags: Flags, io: Io): Promise<Finished> {
  return runSession('compare', flags, io, async (s) => {
    const base = readRunRecord(resolve(s.io.cwd, baseFile), baseFile, 'compare');
    const next = readRunRecord(resolve(s.io.cwd, nextFile), nextFile, 'compare');
    const judged = judgeCompare(base, next, { limits: s.config.config.compare, force: s.flags.force ?? false });
    if (judged.refused)
      throw configError(
        `the two runs are not comparable (${judged.differences.join('; ')}): compare runs of the same profile, scenario, engine and environment, both finished, or pass --force`,
      );
    if (judged.differences.length)
      s.say(`compare: --force: comparing runs that differ (${judged.differences.join('; ')})`);
    s.say(
      `compare: ${base.runId} (${base.command}, ${base.startedAt}) → ${next.runId} (${next.command}, ${next.startedAt})`,
    );
    const w = Math.max(10, ...judged.deltas.map((d) => d.metric.length));
    for (const d of judged.deltas) {
      const mark = d.unmeasured ? '?' : d.regression ? '✗' : d.notComparable ? '≠' : ' ';
      s.say(
        `  ${mark} ${d.metric.padEnd(w)}  ${formatValue(d.base, d.unit).padStart(12)} → ${formatValue(d.next, d.unit).padStart(12)}  ${change(d).padStart(8)}  (${d.unmeasured ? `no data: ${d.unmeasured}` : d.notComparable ? `not comparable: ${d.notComparable}` : d.limit})`,
      );
    }
    if (judged.newFailures.length) s.say(`  newly failing: ${judged.newFailures.join(', ')}`);
    if (judged.fixed.length) s.say(`  newly passing: ${judged.fixed.join(', ')}`);
    return { verdicts: judged.verdicts, baseUrl: next.environment.baseUrl };
  });
}

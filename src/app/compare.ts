// `gauntlet compare <base.json> <new.json>`: two run records, per-metric deltas against the
// config's regression limits and the verdicts that changed; exit 1 on a regression.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Flags } from '../config/load.ts';
import { configError } from '../core/errors.ts';
import { RunRecord } from '../record/schema.ts';
import { change, compareRuns, compareVerdicts, formatValue, incomparable } from '../slo/compare.ts';
import { runSession, type Finished, type Io } from './session.ts';

function readRecord(file: string, cwd: string): RunRecord {
  const path = resolve(cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw configError(`${file}: cannot read a run record: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = RunRecord.safeParse(raw);
  if (!parsed.success)
    throw configError(
      `${file}: not a Gauntlet run record (${parsed.error.issues.length} problem(s), first at ${parsed.error.issues[0]!.path.join('.') || '(root)'}: ${parsed.error.issues[0]!.message})`,
    );
  return parsed.data;
}

export function compareApp(baseFile: string, nextFile: string, flags: Flags, io: Io): Promise<Finished> {
  return runSession('compare', flags, io, async (s) => {
    const base = readRecord(baseFile, s.io.cwd);
    const next = readRecord(nextFile, s.io.cwd);
    const why = incomparable(base, next);
    if (why.length && !s.flags.force)
      throw configError(
        `the two runs are not comparable (${why.join('; ')}): compare runs of the same profile, engine and environment, or pass --force`,
      );
    if (why.length) s.say(`compare: --force: comparing runs that differ (${why.join('; ')})`);
    const { deltas, newFailures, fixed } = compareRuns(base, next, s.config.config.compare);
    s.say(
      `compare: ${base.runId} (${base.command}, ${base.startedAt}) → ${next.runId} (${next.command}, ${next.startedAt})`,
    );
    const w = Math.max(10, ...deltas.map((d) => d.metric.length));
    for (const d of deltas) {
      s.say(
        `  ${d.regression ? '✗' : ' '} ${d.metric.padEnd(w)}  ${formatValue(d.base, d.unit).padStart(12)} → ${formatValue(d.next, d.unit).padStart(12)}  ${change(d).padStart(8)}  (${d.limit})`,
      );
    }
    if (newFailures.length) s.say(`  newly failing: ${newFailures.join(', ')}`);
    if (fixed.length) s.say(`  newly passing: ${fixed.join(', ')}`);
    const verdicts = compareVerdicts(deltas, newFailures, next.verdicts.length);
    return { verdicts, baseUrl: next.environment.baseUrl };
  });
}

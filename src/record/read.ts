// An earlier run record read back (`gauntlet report`, `gauntlet compare`): parsed, never cast. A
// record of another version is refused by name, not by the first field its shape lacks.
import { readFileSync } from 'node:fs';
import { configError } from '../core/errors.ts';
import { RECORD_VERSION, RunRecord } from './schema.ts';

export function readRunRecord(path: string, shown: string, purpose: string): RunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw configError(`${shown}: cannot read a run record: ${(err as Error).message.split('\n')[0]}`);
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  const tool = (raw as { tool?: { name?: unknown; version?: unknown } } | null)?.tool;
  if (tool?.name === 'gauntlet' && version !== RECORD_VERSION)
    throw configError(
      `${shown}: a version-${String(version)} run record (Gauntlet ${String(tool.version)}); ${purpose} reads version ${RECORD_VERSION}, whose verdicts carry their evidence — run it again with this Gauntlet`,
    );
  const parsed = RunRecord.safeParse(raw);
  if (!parsed.success)
    throw configError(
      `${shown}: not a Gauntlet run record (${parsed.error.issues.length} problem(s), first at ${parsed.error.issues[0]!.path.join('.') || '(root)'}: ${parsed.error.issues[0]!.message})`,
    );
  return parsed.data;
}

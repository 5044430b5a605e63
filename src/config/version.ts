// The config format's version. Every file (gauntlet.config, experiments) may say which format it
// is written in with a top-level `version`. A change that would refuse what the previous format
// accepted either keeps reading the old shape — converted to today's, with one deprecation line on
// stderr — or, in a file that declares `version: 2`, refuses it with the migration spelled out.
// README "Config changes" lists each change.
import { z } from 'zod';

/** Today's format. */
export const CONFIG_VERSION = 2;

export const FormatVersion = z
  .union([z.literal(1), z.literal(2)])
  .optional()
  .describe(
    'The config format this file is written in: 2 (today’s; older shapes are refused with their migration) or 1 (the previous; older shapes are read with a deprecation line). Absent: read as 1',
  );

const said = new Set<string>();

/** One line on stderr per deprecated use (once per process, however often the file is read). */
export function deprecated(line: string): void {
  const text = `deprecated: ${line}`;
  if (said.has(text)) return;
  said.add(text);
  process.stderr.write(`${text}\n`);
}

// Reading a load profile file (TS via jiti, or YAML) and checking it before any load is sent:
// the schema, and every threshold against the metrics and tags the profile can produce.
import { resolve } from 'node:path';
import { configError } from '../core/errors.ts';
import { catalogFor } from '../slo/thresholds.ts';
import { validateThresholds } from '../slo/threshold.ts';
import { formatIssues, readSource } from './load.ts';
import { Profile } from './profile.ts';

export async function loadProfile(
  file: string,
  cwd: string,
  extraThresholds: Record<string, string[]> = {},
): Promise<Profile & { file: string }> {
  const source = await readSource(resolve(cwd, file), cwd);
  const parsed = Profile.safeParse(source.data);
  if (!parsed.success)
    throw configError(
      `${source.file}: ${parsed.error.issues.length} problem(s) in the load profile`,
      formatIssues(source, parsed.error),
    );
  const profile = parsed.data;
  profile.thresholds = { ...extraThresholds, ...profile.thresholds };
  const problems = validateThresholds(profile.thresholds, catalogFor(profile.requests));
  if (problems.length)
    throw configError(
      `${source.file}: ${problems.length} problem(s) in the thresholds`,
      problems.map((p) => `${source.file} thresholds: ${p}`),
    );
  return { ...profile, file: source.file };
}

// Reading a load profile file (TS via jiti, or YAML) and checking it before any load is sent:
// the schema, and every threshold against the metrics and tags the profile can produce.
import { resolve } from 'node:path';
import { configError } from '../core/errors.ts';
import { catalogFor, validateThresholds, withDefaultFailureThresholds } from './threshold.ts';
import { formatIssues, readSource } from './load.ts';
import { findInlineSecrets } from './interpolate.ts';
import { Profile, kindOf, methodOf } from './profile.ts';

/** A k6 script, run by k6 itself, rather than a Gauntlet load profile. */
export const isK6Script = (file: string) => /\.k6\.[cm]?[jt]s$/.test(file);

export async function loadProfile(
  file: string,
  cwd: string,
  extraThresholds: Record<string, string[]> = {},
): Promise<Profile & { file: string; defaultThresholds: string[] }> {
  const source = await readSource(resolve(cwd, file), cwd);
  const parsed = Profile.safeParse(source.data);
  if (!parsed.success)
    throw configError(
      `${source.file}: ${parsed.error.issues.length} problem(s) in the load profile`,
      formatIssues(source, parsed.error),
    );
  const profile = parsed.data;
  // A database URL with its password written in the profile: refused, as in the config.
  const inline = profile.requests.flatMap((r, i) =>
    'url' in r && r.url !== undefined && findInlineSecrets(r.url).length
      ? [
          `${source.locate(['requests', String(i), 'url'])} requests.${i}.url: a credential is written inline; reference it as \${env:NAME}`,
        ]
      : [],
  );
  if (inline.length) throw configError(inline[0]!, inline);
  profile.thresholds = { ...extraThresholds, ...profile.thresholds };
  const requests = profile.requests.map((r) => ({ name: r.name, method: methodOf(r), kind: kindOf(r) }));
  // Resolved once, here, for every command that runs a profile (load, gate, capacity, chaos): a
  // kind of request with no threshold on its failed rate gets the default one, marked as such.
  const resolved = withDefaultFailureThresholds(
    profile.thresholds,
    requests.map((r) => r.kind),
  );
  profile.thresholds = resolved.thresholds;
  const problems = validateThresholds(profile.thresholds, catalogFor(requests));
  if (problems.length)
    throw configError(
      `${source.file}: ${problems.length} problem(s) in the thresholds`,
      problems.map((p) => `${source.file} thresholds: ${p}`),
    );
  return { ...profile, file: source.file, defaultThresholds: resolved.defaults };
}

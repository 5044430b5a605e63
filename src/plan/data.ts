// The data tier of a profile as planned: which URL each SQL statement and Redis command goes to
// (its own, or the environment's), and a problem for each that has none. Pure; the run stage
// prepares and checks them against the live servers (run/load/data-check.ts).
import { kindOf, type Profile } from '../config/profile.ts';
import type { Environment } from '../config/schema.ts';

type Request = Profile['requests'][number];

export const hasDataRequests = (p: Profile) => p.requests.some((r) => kindOf(r) !== 'http');

/** Its URL, or why it has none (undefined for an HTTP request). */
export function dataRequestUrl(
  r: Request,
  env: Pick<Environment, 'postgres' | 'redis'>,
  file: string,
): { url: string } | { problem: string } | undefined {
  if (r.kind !== 'postgres' && r.kind !== 'redis') return undefined;
  const url = r.url ?? (r.kind === 'postgres' ? env.postgres?.url : env.redis?.url);
  if (url) return { url };
  return {
    problem: `${file}: request "${r.name}" is a ${r.kind} ${r.kind === 'postgres' ? 'statement' : 'command'} but has no url and the environment has no ${r.kind}.url`,
  };
}

/** One line per SQL or Redis request with no URL to go to. */
export function dataUrlProblems(p: Profile, env: Pick<Environment, 'postgres' | 'redis'>, file: string): string[] {
  return p.requests.flatMap((r) => {
    const u = dataRequestUrl(r, env, file);
    return u && 'problem' in u ? [u.problem] : [];
  });
}

// `gauntlet smoke`: the environment's smoke suites, one verdict, a report.
import { configError } from '../core/errors.ts';
import { resolveEnvironment, type Flags } from '../config/load.ts';
import type { LoadedSuite } from '../config/suites.ts';
import { runSuites } from '../run/smoke/runner.ts';
import { smokeVerdict } from '../slo/smoke.ts';
import { checkLine } from '../report/console.ts';
import { assertReachable } from '../targets/reachable.ts';
import { tlsOptionsOf } from '../targets/tls.ts';
import { runSession, type Finished, type Io, type Session, type SessionResult } from './session.ts';

export function smokeApp(flags: Flags, io: Io): Promise<Finished> {
  return runSession('smoke', flags, io, (s) => runSmoke(s), { smoke: true });
}

export async function prepareSmoke(
  s: Session,
): Promise<{ suites: LoadedSuite[]; env: ReturnType<typeof resolveEnvironment> }> {
  const env = resolveEnvironment(s.config, s.io.env, s.redactor);
  const { config, dir } = s.config;
  if ((await s.files.suiteFiles()).length === 0)
    throw configError(`no smoke suites found: nothing matches ${config.smoke.join(', ')} under ${dir}`);
  const suites = (await s.files.suites()).map((suite) => s.resolveRefs(suite, suite.file));
  return { suites, env };
}

const httpKinds = new Set(['http', 'graphql', 'websocket', 'playwright']);

export async function runSmoke(s: Session): Promise<SessionResult> {
  const { suites, env } = await prepareSmoke(s);
  // An unreachable HTTP target is a harness error only for suites that speak HTTP to it.
  if (suites.some((x) => x.checks.some((c) => httpKinds.has(c.kind))))
    await assertReachable(env.baseUrl, tlsOptionsOf(env));
  s.say(
    `smoke: ${suites.reduce((n, x) => n + x.checks.length, 0)} checks in ${suites.length} suite${suites.length === 1 ? '' : 's'} against ${env.baseUrl}`,
  );
  const checks = await runSuites(
    suites,
    { env, vars: new Map(), redactor: s.redactor, clock: s.clock, signal: s.signal },
    { onCheckEnd: (c) => s.say(checkLine(c)) },
  );
  return { checks, verdicts: [smokeVerdict(checks)], baseUrl: env.baseUrl };
}

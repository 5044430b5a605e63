// `gauntlet gate`: what a pipeline runs after a deploy — the smoke suites, then the configured
// short load profile, judged together: one run record, one verdict, one exit code.
import { resolve } from 'node:path';
import { resolveEnvironment, type Flags } from '../config/load.ts';
import { engineFor, runLoad } from './load.ts';
import { prepareSmoke } from './smoke.ts';
import { runSuites } from '../run/smoke/runner.ts';
import { smokeVerdict } from '../slo/smoke.ts';
import { checkLine } from '../report/console.ts';
import { assertReachable } from '../targets/reachable.ts';
import { tlsOptionsOf } from '../targets/tls.ts';
import { runSession, type Finished, type Io, type Session, type SessionResult } from './session.ts';

export function gateApp(flags: Flags, io: Io, command = 'gate'): Promise<Finished> {
  return runSession(command, flags, io, runGate, { gate: true });
}

export async function runGate(s: Session): Promise<SessionResult> {
  const { config, dir } = s.config;
  const gate = config.gate;
  // Everything is validated before the first request.
  const smoke = gate.smoke ? await prepareSmoke(s) : undefined;
  const profile = gate.load ? await s.files.profile(resolve(dir, gate.load)) : undefined;
  const env = smoke?.env ?? resolveEnvironment(s.config, s.io.env, s.redactor);
  // The engine and the profile's ${env:…} references too: said before the smoke checks run, not after.
  if (profile) {
    s.resolveRefs(profile, profile.file);
    engineFor(s, env).preflight?.(s.io.env);
  }
  await assertReachable(env.baseUrl, tlsOptionsOf(env));
  // Each stage's results go into the session as they come: a later stage that throws keeps them.
  const result = s.partial;
  result.baseUrl = env.baseUrl;
  if (smoke) {
    s.say(`gate: smoke — ${smoke.suites.reduce((n, x) => n + x.checks.length, 0)} checks against ${env.baseUrl}`);
    result.checks = await runSuites(
      smoke.suites,
      { env, vars: new Map(), redactor: s.redactor, clock: s.clock, signal: s.signal },
      { onCheckEnd: (c) => s.say(checkLine(c)) },
    );
    result.verdicts.push(smokeVerdict(result.checks));
  }
  if (profile && !s.signal.aborted) {
    s.say(`gate: load — ${profile.file}`);
    const { load, verdicts } = await runLoad(s, env, profile);
    if (load) result.load = load;
    result.verdicts.push(...verdicts);
  }
  return result;
}

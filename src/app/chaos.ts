// `gauntlet chaos <experiment>`: a chaos experiment against an environment — probes, load,
// faults, rollbacks — judged by its SLOs (RTO, RPO, uptime). --dry-run resolves and prints
// exactly what would be hit, and hits nothing.
import { dirname, resolve } from 'node:path';
import { resolveEnvironment, type Flags } from '../config/load.ts';
import { configError, describeError } from '../core/errors.ts';
import { rtoFromLoad } from '../measure/recovery.ts';
import type { LoadResult, Verdict } from '../record/schema.ts';
import { runExperiment } from '../run/chaos/runner.ts';
import { dryRunVerdict, experimentVerdicts } from '../slo/chaos.ts';
import { runLoad } from './load.ts';
import { loadErrorVerdict } from '../slo/load.ts';
import { runSession, type Finished, type Io, type Session, type SessionResult } from './session.ts';

export function chaosApp(file: string, flags: Flags & { dryRun?: boolean }, io: Io): Promise<Finished> {
  return runSession(
    flags.dryRun ? 'chaos-dry-run' : 'chaos',
    flags,
    io,
    (s) => runChaos(s, file, flags.dryRun ?? false),
    { files: [file] },
  );
}

/**
 * `ledgerKey` tags the write probe's rows (default: the run id); a run of several experiments
 * (a drill, the demo) gives each its own, so one experiment's rows never count for another's.
 */
export async function runChaos(s: Session, file: string, dryRun: boolean, ledgerKey = s.runId): Promise<SessionResult> {
  const env = resolveEnvironment(s.config, s.io.env, s.redactor);
  const exp = s.resolveRefs(await s.files.experiment(file), file);
  if (exp.alerts.length && !env.alertmanager)
    throw configError(`${file}: alerts need the environment’s alertmanager.url`);
  const profile = exp.load ? await s.files.profile(resolve(dirname(exp.file), exp.load)) : undefined;
  s.say(`chaos: ${exp.name}${dryRun ? ' (dry run: nothing will be touched)' : ''} against ${s.config.envName}`);
  let load: { load?: LoadResult; verdicts: Verdict[] } | undefined;
  const chaos = await runExperiment(exp, {
    env,
    clock: s.clock,
    signal: s.signal,
    runId: ledgerKey,
    kube: s.config.config.kubernetes,
    keep: s.flags.keep ?? false,
    dryRun,
    say: s.say,
    ...(profile
      ? {
          startLoad: async (signal: AbortSignal) => {
            // A load that cannot start fails the experiment: "under load" without load is no claim.
            try {
              load = await runLoad({ ...s, signal: AbortSignal.any([s.signal, signal]) }, env, profile);
            } catch (err) {
              if (s.signal.aborted) throw err;
              load = { verdicts: [loadErrorVerdict(`the experiment's load did not run: ${describeError(err)}`)] };
              throw err;
            }
          },
        }
      : {}),
  });
  // The experiment's own record keeps the load's seconds, so its report draws them beside the faults.
  const l = load?.load;
  if (l) {
    chaos.load = { profile: l.profile, engine: l.engine, startedAtMs: l.startedAtMs, series: l.series };
    // What users saw, measured by the load itself beside the probes' RTO (evidence, not a verdict).
    for (const f of chaos.faults) {
      if (f.injectedAtMs === undefined) continue;
      const r = rtoFromLoad(l.series, l.startedAtMs, f.injectedAtMs);
      if (r.rtoMs !== undefined) f.loadRtoMs = r.rtoMs;
      f.loadRecovery = r.note;
    }
  }
  if (dryRun)
    return {
      verdicts: [dryRunVerdict(chaos.faults.length)],
      chaos: [chaos],
      baseUrl: env.baseUrl,
    };
  return {
    chaos: [chaos],
    ...(load?.load ? { load: load.load } : {}),
    verdicts: experimentVerdicts(chaos, exp, load?.verdicts),
    baseUrl: env.baseUrl,
  };
}

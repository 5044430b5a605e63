// `gauntlet validate [files…]`: the plan stage (plan/plan.ts) over everything the config names —
// its environments' chosen one, the smoke suites, the gate's load profile, the drill — and any
// profile or experiment named on the command line, with the engine asked for. Every problem at
// once, exit 2; nothing sends a request or touches the target.
import { configError } from '../core/errors.ts';
import { loadConfig, type Flags } from '../config/load.ts';
import { planRun } from '../plan/plan.ts';
import type { Io } from './session.ts';

export interface Validated {
  summary: string;
}

export async function validateApp(flags: Flags, io: Io, files: readonly string[] = []): Promise<Validated> {
  const loaded = await loadConfig({ cwd: io.cwd, flags, env: io.env });
  const plan = await planRun(loaded, io, {
    smoke: true,
    gate: true,
    drill: true,
    files,
    engine: flags.engine ?? io.env.GAUNTLET_ENGINE,
    environment: Boolean(flags.env ?? io.env.GAUNTLET_ENV),
    allowList: true,
  });
  const { problems } = plan;
  if (problems.length) throw configError(`${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
  const n = (x: number, one: string, many = `${one}s`) => `${x} ${x === 1 ? one : many}`;
  return {
    summary:
      `${loaded.file}: OK — ${n(Object.keys(loaded.config.environments).length, 'environment')}${plan.env ? ` (${loaded.envName} resolved)` : ''}, ` +
      `${n(plan.suites, 'suite file')}, ${n(plan.checks, 'check')}, ${n(plan.profiles, 'load profile')}, ${n(plan.experiments, 'experiment')}`,
  };
}

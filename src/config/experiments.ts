// Reading a chaos experiment file (YAML, JSON or TS) and checking it before anything is injected:
// the schema (every SLO text parsed as the objective its metric implies), the config's default
// SLOs applied where the experiment sets none, and format 1's shapes read on with a deprecation line.
import { resolve } from 'node:path';
import { configError } from '../core/errors.ts';
import { bareTables, Experiment, type ExperimentSlos } from './experiment.ts';
import { formatIssues, readSource, type Source } from './load.ts';
import type { Slos } from './schema.ts';
import { deprecated } from './version.ts';

/** The SLO keys an experiment may take from the config. */
export type DefaultSlo = 'rto' | 'rpo' | 'uptime';

export type LoadedExperiment = Experiment & {
  file: string;
  /** The SLOs it took from the config's slos (it set none of its own for them). */
  inheritedSlos: DefaultSlo[];
};

export async function loadExperiment(
  file: string,
  cwd: string,
  defaults: Partial<Pick<Slos, DefaultSlo>> = {},
): Promise<LoadedExperiment> {
  const source = await readSource(resolve(cwd, file), cwd);
  const parsed = Experiment.safeParse(source.data);
  if (!parsed.success)
    throw configError(
      `${source.file}: ${parsed.error.issues.length} problem(s) in the experiment`,
      formatIssues(source, parsed.error),
    );
  const exp = fromFormat1(parsed.data, source);
  const { slos, inherited } = withDefaultSlos(exp, defaults);
  return { ...exp, slos, file: resolve(cwd, file), inheritedSlos: inherited };
}

/**
 * The config's slos.rto/rpo/uptime are the defaults of experiments that set none — each where the
 * experiment can measure it: an RTO always (every fault is timed to recovery), uptime with an http
 * probe, an RPO with a db-write probe or a restore with a freshness query. The experiment's own
 * objective always wins.
 */
export function withDefaultSlos(
  exp: Pick<Experiment, 'slos' | 'probes' | 'method'>,
  defaults: Partial<Pick<Slos, DefaultSlo>>,
): { slos: ExperimentSlos; inherited: DefaultSlo[] } {
  const measures: Record<DefaultSlo, boolean> = {
    rto: true,
    uptime: exp.probes.some((p) => p.kind === 'http'),
    rpo:
      exp.probes.some((p) => p.kind === 'db-write') ||
      exp.method.some((m) => m.fault.kind === 'backup-restore' && m.fault.freshness !== undefined),
  };
  const slos = { ...exp.slos };
  const inherited: DefaultSlo[] = [];
  for (const key of ['rto', 'rpo', 'uptime'] as const) {
    const d = defaults[key];
    if (slos[key] === undefined && d !== undefined && measures[key]) {
      slos[key] = d;
      inherited.push(key);
    }
  }
  return { slos, inherited };
}

/**
 * Format 1 named the tables of a restore without a source snapshot (backup method latest or
 * command) bare: `tables: [orders]`. Today such a table needs the rows the copy must hold. A bare
 * name is read on as a verification query that the copy's table holds rows (what a restore must
 * show at the least), with one deprecation line; a file that declares `version: 2` is refused by
 * the schema instead, with the migration.
 */
function fromFormat1(exp: Experiment, source: Source): Experiment {
  const bare = bareTables(exp);
  if (!bare.length) return exp;
  for (const b of bare)
    deprecated(
      `${source.locate(b.path)} ${b.path.join('.')}: "${b.table}" without rows (config format 1) is read as verify: [{ name: "${b.table} has rows", sql: "select 1 from ${b.table} limit 1" }]; write { name: ${b.table}, rows: N } to hold its row count, then version: 2 (README "Config changes")`,
    );
  const method = exp.method.map((m, i) => {
    const f = m.fault;
    const mine = bare.filter((b) => b.at === i);
    if (f.kind !== 'backup-restore' || !mine.length) return m;
    const verify = mine.map((b) => ({ name: `${b.table} has rows`, sql: `select 1 from ${b.table} limit 1` }));
    return {
      ...m,
      fault: { ...f, tables: f.tables.filter((t) => typeof t !== 'string'), verify: [...f.verify, ...verify] },
    };
  });
  return { ...exp, method };
}

// Reading a chaos experiment file (YAML, JSON or TS) and checking it before anything is injected:
// the schema, and every SLO text (RTO, uptime, RPO) parsed as the objective it must be.
import { resolve } from 'node:path';
import { parseObjective } from '../core/comparison.ts';
import { configError } from '../core/errors.ts';
import { Experiment } from './experiment.ts';
import { formatIssues, readSource } from './load.ts';

export async function loadExperiment(file: string, cwd: string): Promise<Experiment & { file: string }> {
  const source = await readSource(resolve(cwd, file), cwd);
  const parsed = Experiment.safeParse(source.data);
  if (!parsed.success)
    throw configError(
      `${source.file}: ${parsed.error.issues.length} problem(s) in the experiment`,
      formatIssues(source, parsed.error),
    );
  const problems = sloProblems(parsed.data.slos);
  if (problems.length)
    throw configError(
      `${source.file}: ${problems.length} problem(s) in the experiment`,
      problems.map((p) => `${source.file} ${p}`),
    );
  return { ...parsed.data, file: resolve(cwd, file) };
}

/** Every problem with an experiment's SLO texts. */
export function sloProblems(slos: Experiment['slos']): string[] {
  const problems: string[] = [];
  if (slos.rto && !parseObjective(slos.rto, 'ms'))
    problems.push(`slos.rto "${slos.rto}" is not a duration objective (e.g. "<30s")`);
  if (slos.uptime && !parseObjective(slos.uptime, 'percent'))
    problems.push(`slos.uptime "${slos.uptime}" is not a percentage objective (e.g. ">=99.9%")`);
  if (slos.rpo && !parseObjective(slos.rpo, 'count') && !parseObjective(slos.rpo, 'ms'))
    problems.push(`slos.rpo "${slos.rpo}" is neither a count of writes ("0 writes", "<=10") nor a time span ("<1s")`);
  return problems;
}

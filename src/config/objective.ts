// Objectives in config files: parsed once, where the file is read, into a typed comparison with
// the direction its metric implies (core/comparison.ts). Text that is not one — or that could be
// read two ways — is a config error at its file and key path, before anything runs.
import { z } from 'zod';
import { type Metric, parseObjective } from '../core/comparison.ts';

/** An objective's text for `metric`, parsed to an Objective; a problem is an issue at its key. */
export const ObjectiveText = (metric: Metric, example: string) =>
  z
    .string()
    .transform((text, ctx) => {
      const parsed = parseObjective(text, metric);
      if (parsed.ok) return parsed.objective;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    })
    .describe(`e.g. ${example}`);

/** A DR plan's RPO is a time span: it is held to the age of the data lost, not to a count. */
export const TimeObjectiveText = (metric: Metric, example: string) =>
  ObjectiveText(metric, example).refine((o) => o.unit === 'ms', {
    message: `expected a time span, e.g. ${example} (a count of writes is an experiment's slos.rpo)`,
  });

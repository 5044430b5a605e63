// JSON Schemas exported from the zod models, so editors complete YAML configs and suites and
// tools can validate run records.
import { z } from 'zod';
import { Config } from './schema.ts';
import { Suite } from './suite.ts';
import { Profile } from './profile.ts';
import { Experiment } from './experiment.ts';
import { RunRecord } from '../record/schema.ts';

export function jsonSchemas(): Record<string, unknown> {
  const opts = { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' } as const;
  return {
    'gauntlet.config.schema.json': { title: 'Gauntlet config', ...z.toJSONSchema(Config, opts) },
    'gauntlet.suite.schema.json': { title: 'Gauntlet smoke suite', ...z.toJSONSchema(Suite, opts) },
    'gauntlet.profile.schema.json': { title: 'Gauntlet load profile', ...z.toJSONSchema(Profile, opts) },
    'gauntlet.experiment.schema.json': { title: 'Gauntlet chaos experiment', ...z.toJSONSchema(Experiment, opts) },
    'gauntlet.run-record.schema.json': {
      title: 'Gauntlet run record',
      ...z.toJSONSchema(RunRecord, { ...opts, io: 'output' }),
    },
  };
}

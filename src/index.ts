// The library surface users import in gauntlet.config.ts and their suites.
export { defineConfig } from './config/schema.ts';
export type { Config, ConfigInput, Environment } from './config/schema.ts';
export { defineSuite, http, graphql, ws, postgres, redis, playwright } from './config/suite.ts';
export type { Check, CheckInput, Suite, SuiteInput } from './config/suite.ts';
export type { RunRecord, Verdict, CheckResult } from './record/schema.ts';
export { z } from 'zod';
export { defineExperiment } from './config/experiment.ts';
export { defineProfile } from './config/profile.ts';

// The model of a load profile: k6's executors, a weighted request mix (HTTP requests, SQL
// statements, Redis commands), a setup step, think time and k6-syntax thresholds.
import { z } from 'zod';
import { Duration, UrlOrRef } from './primitives.ts';
import { HttpCheck } from './suite.ts';

const Stage = z.object({ duration: Duration, target: z.number().nonnegative() }).strict();
const positiveDuration = Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' });

const closedCommon = { gracefulRampDown: Duration.default(30_000) };
const openCommon = {
  timeUnit: positiveDuration.default(1000),
  preAllocatedVUs: z.number().int().positive().default(10),
  maxVUs: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'Connections the generator may open at most (default: the larger of preAllocatedVUs × 10 and one second of arrivals at the peak rate, at most 10 000)',
    ),
};

export const Executor = z.discriminatedUnion('executor', [
  z
    .object({ executor: z.literal('constant-vus'), vus: z.number().int().positive(), duration: positiveDuration })
    .strict(),
  z
    .object({
      executor: z.literal('ramping-vus'),
      startVUs: z.number().int().nonnegative().default(0),
      stages: z.array(Stage).min(1),
      ...closedCommon,
    })
    .strict(),
  z
    .object({
      executor: z.literal('constant-arrival-rate'),
      rate: z.number().positive(),
      duration: positiveDuration,
      ...openCommon,
    })
    .strict(),
  z
    .object({
      executor: z.literal('ramping-arrival-rate'),
      startRate: z.number().nonnegative().default(0),
      stages: z.array(Stage).min(1),
      ...openCommon,
    })
    .strict(),
]);
export type Executor = z.infer<typeof Executor>;
export type ExecutorName = Executor['executor'];

const name = z.string().min(1).describe('Tag: thresholds filter on it, e.g. http_req_duration{name:api}');
const weight = z.number().positive().default(1);

export const HttpLoadRequest = z
  .object({
    name,
    kind: z.literal('http').default('http'),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    path: z.string().startsWith('/'),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.string().optional(),
    json: z.unknown().optional(),
    weight,
  })
  .strict();

/** A SQL statement on the environment's PostgreSQL (or its own URL): timed as db_query_duration. */
export const PostgresLoadRequest = z
  .object({
    name,
    kind: z.literal('postgres'),
    sql: z.string().min(1).describe('One statement, prepared once per connection; $1, $2 … take params'),
    params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).default([]),
    url: UrlOrRef.optional().describe("Default: the environment's postgres.url"),
    timeout: Duration.optional().describe("Per statement (default: the profile's timeout); also statement_timeout"),
    weight,
  })
  .strict();

/** A Redis command on the environment's Redis (or its own URL): timed as redis_cmd_duration. */
export const RedisLoadRequest = z
  .object({
    name,
    kind: z.literal('redis'),
    command: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .describe('e.g. [GET, "product:1"]'),
    url: UrlOrRef.optional().describe("Default: the environment's redis.url"),
    timeout: Duration.optional().describe("Per command (default: the profile's timeout)"),
    weight,
  })
  .strict();

/** A request without a kind is HTTP, as every profile written before the data tier. */
export const LoadRequest = z.preprocess(
  (v) => (v && typeof v === 'object' && !('kind' in v) ? { ...v, kind: 'http' } : v),
  z.discriminatedUnion('kind', [HttpLoadRequest, PostgresLoadRequest, RedisLoadRequest]),
);

/** Its kind: what it is sent over, and which metrics time it. */
export const kindOf = (r: LoadRequest): 'http' | 'postgres' | 'redis' => r.kind;

/** The method tag thresholds filter on: HTTP's method, a statement's verb (SELECT…), a Redis command (GET…). */
export function methodOf(r: LoadRequest): string {
  if (r.kind === 'postgres') return /^\s*(\w+)/.exec(r.sql)?.[1]?.toUpperCase() ?? 'SQL';
  if (r.kind === 'redis') return String(r.command[0]).toUpperCase();
  return r.method;
}
export type LoadRequest = z.infer<typeof LoadRequest>;

/** A threshold as k6 writes it: an expression, or an object with abortOnFail. */
export const Threshold = z.union([
  z.string(),
  z
    .object({ threshold: z.string(), abortOnFail: z.boolean().default(false), delayAbortEval: Duration.default(0) })
    .strict(),
]);
export type Threshold = z.infer<typeof Threshold>;

/**
 * How `gauntlet capacity` searches for the highest sustainable arrival rate: steps of
 * constant-arrival-rate load, each warmed up (not counted) and then judged by the profile's
 * thresholds; the rate grows until a step fails, then is narrowed between the last good and
 * the first bad step.
 */
export const CapacitySearch = z
  .object({
    startRate: z.number().positive().describe('First step, requests/s'),
    maxRate: z.number().positive().describe('Never offer more than this, requests/s'),
    growth: z
      .number()
      .gt(1)
      .default(2)
      .describe('Each step offers this many times the last good one until a step fails'),
    warmup: Duration.default(3_000).describe('Load at the step rate before measuring, not counted'),
    stepDuration: positiveDuration.default(10_000).describe('Measured part of each step'),
    resolution: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.05)
      .describe('Stop narrowing when (first bad − last good) / last good is at most this'),
    maxDuration: positiveDuration.default(600_000).describe('The whole search ends by then, with what it has'),
    preAllocatedVUs: z.number().int().positive().default(50),
    maxVUs: z
      .number()
      .int()
      .positive()
      .default(2_000)
      .describe('In-flight requests at most; beyond, iterations are dropped (and the step fails)'),
    tolerance: z
      .number()
      .min(0)
      .lt(1)
      .default(0.1)
      .describe('Fail when capacity falls more than this below the median of earlier runs'),
    history: z.number().int().positive().default(5).describe('Earlier runs (from reports/) the trend compares with'),
  })
  .strict()
  .refine((c) => c.maxRate >= c.startRate, {
    message: 'maxRate is below startRate: the search has no step to run',
    path: ['maxRate'],
  });
export type CapacitySearch = z.infer<typeof CapacitySearch>;

const SetupStep = HttpCheck.omit({ kind: true, name: true }).extend({ name: z.string().default('setup') });

export const Profile = z
  .object({
    name: z.string().min(1),
    scenario: Executor,
    gracefulStop: Duration.default(30_000).describe('How long in-flight iterations may finish after the end'),
    requests: z.array(LoadRequest).min(1),
    setup: z
      .array(SetupStep)
      .optional()
      .describe('Requests run once before the load, e.g. a login whose token later requests use as {{token}}'),
    thinkTime: z.union([Duration, z.object({ min: Duration, max: Duration }).strict()]).optional(),
    timeout: Duration.default(10_000).describe('Per request'),
    maxRedirects: z
      .number()
      .int()
      .min(0)
      .default(10)
      .describe('Redirects followed to the final answer, as k6 (0: a 3xx is the answer)'),
    thresholds: z.record(z.string(), z.array(Threshold).min(1)).default({}),
    workers: z.number().int().positive().optional().describe('Worker threads generating load (default: CPU cores)'),
    capacity: CapacitySearch.optional().describe(
      'For `gauntlet capacity`: the search for the highest rate at which the thresholds hold',
    ),
  })
  .strict();
export type Profile = z.infer<typeof Profile>;
export type ProfileInput = z.input<typeof Profile>;

export const defineProfile = (p: ProfileInput): ProfileInput => p;

/** The model an executor belongs to: closed (VUs loop) or open (arrivals on a schedule). */
export function modelOf(e: Executor): 'closed' | 'open' {
  return e.executor.endsWith('arrival-rate') ? 'open' : 'closed';
}

/** Total scheduled time of the scenario, ms. */
export function scenarioDurationMs(e: Executor): number {
  return 'duration' in e ? e.duration : e.stages.reduce((t, s) => t + s.duration, 0);
}

export const MAX_DEFAULT_VUS = 10_000;

/** Peak arrivals per second of an open-model executor (0 for a closed model). */
export function peakRatePerSecond(e: Executor): number {
  if (e.executor === 'constant-arrival-rate') return (e.rate * 1000) / e.timeUnit;
  if (e.executor === 'ramping-arrival-rate')
    return (Math.max(e.startRate, ...e.stages.map((s) => s.target)) * 1000) / e.timeUnit;
  return 0;
}

/**
 * The connections an open-model executor may hold at once. The default keeps sending through a
 * one-second stall of the target at the peak rate (Little's law: rate × 1 s), so a target that is
 * merely slow is measured slow instead of being spared the arrivals it could not take; beyond
 * that, arrivals are dropped and the dropped-arrivals verdict fails.
 */
export function maxVUsOf(e: Executor): number {
  if (!('preAllocatedVUs' in e)) return 0;
  // Capped at 10 000 by default: one second of a very high rate would ask for more sockets than a
  // generator's file limit allows (20 000 here); past the cap, drops are said, with the fix.
  return e.maxVUs ?? Math.max(e.preAllocatedVUs * 10, Math.min(Math.ceil(peakRatePerSecond(e)), MAX_DEFAULT_VUS));
}

// The model of a load profile: k6's executors, a weighted request mix, a setup step, think
// time and k6-syntax thresholds. The same profile runs on every engine.
import { z } from 'zod';
import { Duration } from './primitives.ts';
import { HttpCheck } from './suite.ts';

const Stage = z.object({ duration: Duration, target: z.number().nonnegative() }).strict();
const positiveDuration = Duration.refine((ms) => ms > 0, { message: 'must be longer than 0' });

const closedCommon = { gracefulRampDown: Duration.default(30_000) };
const openCommon = {
  timeUnit: positiveDuration.default(1000),
  preAllocatedVUs: z.number().int().positive().default(10),
  maxVUs: z.number().int().positive().optional().describe('Connections the generator may open at most (default: preAllocatedVUs × 10)'),
};

export const Executor = z.discriminatedUnion('executor', [
  z.object({ executor: z.literal('constant-vus'), vus: z.number().int().positive(), duration: positiveDuration }).strict(),
  z.object({ executor: z.literal('ramping-vus'), startVUs: z.number().int().nonnegative().default(0), stages: z.array(Stage).min(1), ...closedCommon }).strict(),
  z.object({ executor: z.literal('constant-arrival-rate'), rate: z.number().positive(), duration: positiveDuration, ...openCommon }).strict(),
  z.object({ executor: z.literal('ramping-arrival-rate'), startRate: z.number().nonnegative().default(0), stages: z.array(Stage).min(1), ...openCommon }).strict(),
]);
export type Executor = z.infer<typeof Executor>;
export type ExecutorName = Executor['executor'];

export const LoadRequest = z
  .object({
    name: z.string().min(1).describe('Tag: thresholds filter on it, e.g. http_req_duration{name:api}'),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    path: z.string().startsWith('/'),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.string().optional(),
    json: z.unknown().optional(),
    weight: z.number().positive().default(1),
  })
  .strict();
export type LoadRequest = z.infer<typeof LoadRequest>;

/** A threshold as k6 writes it: an expression, or an object with abortOnFail. */
export const Threshold = z.union([
  z.string(),
  z
    .object({ threshold: z.string(), abortOnFail: z.boolean().default(false), delayAbortEval: Duration.default(0) })
    .strict(),
]);
export type Threshold = z.infer<typeof Threshold>;

const SetupStep = HttpCheck.omit({ kind: true, name: true }).extend({ name: z.string().default('setup') });

export const Profile = z
  .object({
    name: z.string().min(1),
    scenario: Executor,
    gracefulStop: Duration.default(30_000).describe('How long in-flight iterations may finish after the end'),
    requests: z.array(LoadRequest).min(1),
    setup: z.array(SetupStep).optional().describe('Requests run once before the load, e.g. a login whose token later requests use as {{token}}'),
    thinkTime: z.union([Duration, z.object({ min: Duration, max: Duration }).strict()]).optional(),
    timeout: Duration.default(10_000).describe('Per request'),
    thresholds: z.record(z.string(), z.array(Threshold).min(1)).default({}),
    workers: z.number().int().positive().optional().describe('Worker threads generating load (default: CPU cores)'),
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

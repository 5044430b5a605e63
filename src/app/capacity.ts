// `gauntlet capacity <profile>`: the highest arrival rate at which the profile's thresholds
// hold. Each step is constant-arrival-rate load (open model: arrivals don't slow down when the
// target does), warmed up uncounted, then measured and judged; the search (run/capacity/search)
// picks the next rate. The answer is stated, the steps tabled, and the figure trended against
// earlier runs found in reports/.
import { earlierRecords } from '../record/history.ts';
import { resolve } from 'node:path';
import { resolveEnvironment, type Flags } from '../config/load.ts';
import type { CapacitySearch, Profile } from '../config/profile.ts';
import { configError } from '../core/errors.ts';
import { formatMs } from '../core/duration.ts';
import type { CapacityResult, CapacityStep, LoadResult } from '../record/schema.ts';
import type { LoadTarget, Progress } from '../run/load/engine.ts';
import { bracket, nextStep, type Stop, type StepSeen } from '../run/capacity/search.ts';
import { capacityVerdicts, judgeStep, limitingFactor, rps, type StepFactor } from '../slo/capacity.ts';
import { progressLine } from '../report/console.ts';
import { assertReachable } from '../targets/reachable.ts';
import { tlsOptionsOf } from '../targets/tls.ts';
import { engines, prepareLoad } from './load.ts';
import { runSession, type Finished, type Io, type Session, type SessionResult } from './session.ts';

export function capacityApp(profileFile: string, flags: Flags, io: Io): Promise<Finished> {
  return runSession(
    'capacity',
    flags,
    io,
    async (s) => {
      const env = resolveEnvironment(s.config, s.io.env, s.redactor);
      const written = await s.files.profile(profileFile);
      if (!written.capacity)
        throw configError(
          `${written.file}: no capacity block: say where the search starts and where it must stop (capacity: { startRate, maxRate })`,
        );
      // The default failure threshold alone is no SLO to search under: the user writes at least one.
      if (Object.keys(written.thresholds).length === written.defaultThresholds.length)
        throw configError(
          `${written.file}: no thresholds: a capacity search needs an SLO to hold (e.g. http_req_duration: ['p(95)<200'], http_req_failed: ['rate<0.01'])`,
        );
      // A profile of SQL and Redis alone never touches the base URL (its servers are checked by prepareLoad).
      if (written.requests.some((r) => r.kind === 'http')) await assertReachable(env.baseUrl, tlsOptionsOf(env));
      const { profile, requests } = await prepareLoad(s, env, written);
      const capacity = await searchCapacity(s, profile, written.capacity, written.defaultThresholds, {
        baseUrl: env.baseUrl,
        requests,
        tls: tlsOptionsOf(env),
      });
      capacity.trend = earlierRuns(reportsRoot(s), profile.name, s.config.envName, written.capacity.history);
      return {
        capacity,
        verdicts: capacityVerdicts(capacity, written.capacity),
        baseUrl: env.baseUrl,
      } satisfies SessionResult;
    },
    { files: [profileFile] },
  );
}

const reportsRoot = (s: Session) => resolve(s.io.cwd, s.config.config.reports.dir);

async function searchCapacity(
  s: Session,
  profile: Profile,
  c: CapacitySearch,
  defaults: readonly string[],
  target: LoadTarget,
): Promise<CapacityResult> {
  const engine = engines.embedded;
  const deadline = s.clock.now() + c.maxDuration;
  const steps: CapacityStep[] = [];
  const factors: StepFactor[][] = [];
  const seen: StepSeen[] = [];
  let stop: Stop | 'max duration' | undefined;
  s.say(
    `capacity: ${profile.name} against ${target.baseUrl}: ${c.startRate}…${c.maxRate} req/s, steps of ${formatMs(c.warmup)} warm-up + ${formatMs(c.stepDuration)} measured`,
  );
  for (;;) {
    const next = nextStep(c, seen);
    if ('done' in next) {
      stop = next.done;
      break;
    }
    if (s.clock.now() + c.warmup + c.stepDuration > deadline) {
      stop = 'max duration';
      break;
    }
    const rate = next.rate;
    const stepProfile = (ms: number): Profile => ({
      ...profile,
      scenario: {
        executor: 'constant-arrival-rate',
        rate,
        duration: ms,
        timeUnit: 1000,
        preAllocatedVUs: Math.min(c.preAllocatedVUs, c.maxVUs),
        maxVUs: c.maxVUs,
      },
      // A step's stragglers are judged by its timeout, not waited for: the next step is due.
      gracefulStop: Math.min(profile.gracefulStop, profile.timeout),
    });
    const label = `  step ${steps.length + 1} (${next.phase}): ${rate} req/s`;
    if (c.warmup > 0) {
      await engine.run(stepProfile(c.warmup), target, {
        clock: s.clock,
        signal: s.signal,
        onProgress: (p) => s.progress(`${label} warm-up ${progressLine(p).trim()}`),
        shouldAbort: saturated(rate),
      });
      if (s.signal.aborted) break;
    }
    const startedAtMs = s.clock.now();
    const load = await engine.run(stepProfile(c.stepDuration), target, {
      clock: s.clock,
      signal: s.signal,
      onProgress: (p) => s.progress(`${label} ${progressLine(p).trim()}`),
      shouldAbort: saturated(rate),
    });
    s.progress(undefined);
    if (s.signal.aborted) break;
    const judged = judgeStep(load, profile.thresholds, { defaults });
    const step = stepRecord(steps.length + 1, next.phase, rate, startedAtMs, load, judged);
    steps.push(step);
    factors.push(judged.factors);
    seen.push({ rate, outcome: step.outcome, targetGone: judged.targetGone });
    s.say(
      `${label}: ${step.outcome}${step.p95Ms === undefined ? '' : ` — p95 ${formatMs(step.p95Ms)}`}, errors ${pct(step.errorRate)}, ${step.achievedRps.toFixed(0)} req/s achieved${step.why ? ` (${step.why})` : ''}`,
    );
  }
  return summarise(profile, steps, factors, stop ?? 'max duration', c, defaults);
}

/** Ends a step early when the target is clearly saturated: no point measuring a collapse for long. */
function saturated(rate: number) {
  return (p: Progress): string | undefined => {
    if (p.elapsedMs < 2000) return undefined;
    const offered = (rate * p.elapsedMs) / 1000;
    if (p.dropped > 0.2 * offered) return `saturated: ${p.dropped} of ${Math.round(offered)} arrivals dropped`;
    if (p.requests > 50 && p.failed > 0.5 * p.requests)
      return `saturated: ${p.failed} of ${p.requests} requests failed`;
    return undefined;
  };
}

/** A step as the record keeps it: its figures and the judgement (slo/capacity.ts). */
function stepRecord(
  index: number,
  phase: 'grow' | 'narrow',
  rate: number,
  startedAtMs: number,
  load: LoadResult,
  judged: ReturnType<typeof judgeStep>,
): CapacityStep {
  const lat = load.all.latency;
  const seconds = Math.max(load.durationMs, 1) / 1000;
  return {
    index,
    phase,
    offeredRps: rate,
    achievedRps: load.totals.requests / seconds,
    requests: load.totals.requests,
    ...(lat?.count ? { p50Ms: lat.p50Ms, p95Ms: lat.p95Ms, p99Ms: lat.p99Ms } : {}),
    errorRate: load.totals.requests ? load.totals.failed / load.totals.requests : 0,
    dropped: load.totals.droppedIterations,
    ...(load.generator ? { busiestWorkerElu: load.generator.busiestWorkerElu } : {}),
    ...(load.generator?.lag?.latency ? { sendLagP99Ms: load.generator.lag.latency.p99Ms } : {}),
    startedAtMs,
    durationMs: load.durationMs,
    outcome: judged.outcome,
    ...(judged.why ? { why: judged.why } : {}),
  };
}

const pct = (r: number) => `${(r * 100).toFixed(r && r < 0.001 ? 3 : 1)}%`;

function summarise(
  profile: Profile,
  steps: CapacityStep[],
  factors: StepFactor[][],
  stop: Stop | 'max duration',
  c: CapacitySearch,
  defaults: readonly string[],
): CapacityResult {
  const { good, bad } = bracket(steps.map((st) => ({ rate: st.offeredRps, outcome: st.outcome })));
  const goodStep = steps.find((st) => st.outcome === 'good' && st.offeredRps === good);
  const badStep = steps.find((st) => st.outcome === 'bad' && st.offeredRps === bad);
  const limitedBy = limitingFactor(badStep ? factors[steps.indexOf(badStep)] : undefined, stop);
  const held = goodStep
    ? `${rps(goodStep.offeredRps)} (p95 ${goodStep.p95Ms === undefined ? '—' : formatMs(goodStep.p95Ms)}, errors ${pct(goodStep.errorRate)})`
    : undefined;
  const broke = badStep ? `${rps(badStep.offeredRps)} (${badStep.why})` : undefined;
  let statement: string;
  if (steps.length === 0)
    statement = `no step ran: ${stop === 'max duration' ? `maxDuration ${formatMs(c.maxDuration)} is shorter than one step` : stop}`;
  else if (stop === 'generator') {
    const inc = steps[steps.length - 1]!;
    statement = `inconclusive: the generator fell behind its schedule at ${rps(inc.offeredRps)}${held ? `; sustainable at least ${held}` : ''} — generate from more cores or machines`;
  } else if (!goodStep) statement = `capacity 0: the thresholds already fail at the first step, ${broke}`;
  else if (!badStep)
    statement = `sustainable: ${held}; ${stop === 'max rate' ? `no step failed up to maxRate ${rps(c.maxRate)}` : `the search stopped (${stop}) before any step failed`}`;
  else statement = `sustainable: ${held}; breaks at ${broke}`;
  return {
    profile: profile.name,
    sustainableRps: good ?? 0,
    ...(bad !== undefined ? { breaksAtRps: bad } : {}),
    limitedBy,
    statement,
    objectives: Object.entries(profile.thresholds).flatMap(([metric, list]) =>
      list.map(
        (t) => `${metric} ${typeof t === 'string' ? t : t.threshold}${defaults.includes(metric) ? ' (default)' : ''}`,
      ),
    ),
    steps,
    trend: [],
  };
}

/** Earlier capacity runs of this profile and environment in the reports root, oldest first. */
export function earlierRuns(root: string, profile: string, env: string, n: number): CapacityResult['trend'] {
  // Only completed searches count: an aborted or failed-to-run search says nothing about
  // capacity, nor one the generator limited.
  return earlierRecords(
    root,
    (r) =>
      r.command === 'capacity' &&
      r.capacity?.profile === profile &&
      r.environment.name === env &&
      r.status !== 'aborted' &&
      r.status !== 'error' &&
      r.capacity.limitedBy !== 'generator',
  )
    .slice(-n)
    .map((r) => ({ runId: r.runId, startedAt: r.startedAt, sustainableRps: r.capacity!.sustainableRps }));
}

// The run record: one versioned JSON document, the single source of truth every report is a view of.
import { z } from 'zod';

export const RECORD_VERSION = 2;

export const Expectation = z
  .object({ what: z.string(), ok: z.boolean(), expected: z.string().optional(), actual: z.string().optional() })
  .strict();
export type Expectation = z.infer<typeof Expectation>;

export const Exchange = z
  .object({
    request: z
      .object({
        method: z.string(),
        url: z.string(),
        headers: z.record(z.string(), z.string()),
        body: z.string().optional(),
      })
      .strict(),
    response: z
      .object({
        status: z.number().int(),
        headers: z.record(z.string(), z.string()),
        bodyExcerpt: z.string(),
        bodyBytes: z.number().int(),
        truncated: z.boolean(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Exchange = z.infer<typeof Exchange>;

export const CheckStatus = z.enum(['passed', 'failed']);

export const CheckResult = z
  .object({
    suite: z.string(),
    file: z.string().optional(),
    name: z.string(),
    kind: z.string(),
    status: CheckStatus,
    reason: z.string().optional().describe('One line saying why the check failed'),
    startedAtMs: z.number().describe('ms since the run started'),
    durationMs: z.number(),
    attempts: z.number().int().min(1),
    exchange: Exchange.optional(),
    detail: z.string().optional().describe('What a non-HTTP check saw (server version, role, lag…)'),
    attachments: z
      .array(z.object({ name: z.string(), contentType: z.string(), base64: z.string() }).strict())
      .optional()
      .describe('e.g. a Playwright screenshot on failure, embedded so the report stays one file'),
    expectations: z.array(Expectation),
    captured: z.array(z.string()).describe('Names of values captured for later checks (values are never recorded)'),
  })
  .strict();
export type CheckResult = z.infer<typeof CheckResult>;

export const VerdictStatus = z
  .enum(['pass', 'fail', 'no-data', 'error'])
  .describe('error: the stage behind the verdict could not run (why in detail); fails like fail');
export type VerdictStatus = z.infer<typeof VerdictStatus>;

export const VerdictKind = z
  .enum([
    'smoke',
    'target',
    'container',
    'load',
    'threshold',
    'engine',
    'generator',
    'dropped',
    'shards',
    'prometheus',
    'capacity',
    'capacity-trend',
    'steady-state',
    'experiment',
    'fault',
    'rollback',
    'rto',
    'rpo',
    'restore',
    'restore-rpo',
    'uptime',
    'alert',
    'dry-run',
    'scenario',
    'plan-rto',
    'plan-rpo',
    'compare',
  ])
  .describe('What the verdict judges; the report groups and names verdicts by it (README: the verdict table)');
export type VerdictKind = z.infer<typeof VerdictKind>;

export const VerdictScope = z.enum([
  'smoke',
  'run',
  'load',
  'prometheus',
  'capacity',
  'experiment',
  'drill',
  'compare',
]);
export type VerdictScope = z.infer<typeof VerdictScope>;

export const VerdictUnit = z.enum(['ms', 'ratio', 'count', 'req/s', 'number']);
export type VerdictUnit = z.infer<typeof VerdictUnit>;

export const Evidence = z
  .object({
    samples: z
      .number()
      .int()
      .min(0)
      .describe('How many samples the verdict rests on (requests, probe samples, writes…)'),
    coveredMs: z.number().min(0).optional().describe('The time those samples cover'),
    from: z.string().describe('What it was measured from, e.g. "HDR histogram of 1 204 requests", "probe api"'),
  })
  .strict();
export type Evidence = z.infer<typeof Evidence>;

const verdictFields = {
  id: z.string().describe('Unique within the run'),
  kind: VerdictKind,
  scope: VerdictScope,
  phase: z
    .string()
    .optional()
    .describe('The step it belongs to (an experiment, a drill scenario), when there are several'),
  source: z.enum(['smoke', 'threshold', 'slo', 'consistency']),
  objective: z.string().describe('What was required, e.g. "p(95)<200" or "all smoke checks pass"'),
  byDefault: z.literal(true).optional().describe('Applied by default, not written in the config'),
  measured: z.object({ value: z.number(), unit: VerdictUnit }).strict().optional(),
  bound: z
    .object({ op: z.enum(['<', '<=', '>', '>=', '==', '!=']), value: z.number(), unit: VerdictUnit })
    .strict()
    .optional(),
  observed: z.string().optional().describe('What was measured, with units'),
  detail: z.string().optional(),
  window: z
    .object({ fromS: z.number(), toS: z.number() })
    .strict()
    .optional()
    .describe('A windowed threshold: its worst window, in seconds from the start of the load'),
};

/** A pass carries evidence with at least one sample: a pass without it neither type-checks nor parses. */
export const Verdict = z.discriminatedUnion('status', [
  z
    .object({
      ...verdictFields,
      status: z.literal('pass'),
      evidence: Evidence.extend({ samples: z.number().int().min(1) }),
    })
    .strict(),
  z.object({ ...verdictFields, status: z.enum(['fail', 'no-data', 'error']), evidence: Evidence.optional() }).strict(),
]);
export type Verdict = z.infer<typeof Verdict>;

export const LatencySummary = z
  .object({
    count: z.number().int(),
    minMs: z.number(),
    meanMs: z.number(),
    p50Ms: z.number(),
    p90Ms: z.number(),
    p95Ms: z.number(),
    p99Ms: z.number(),
    p999Ms: z.number(),
    maxMs: z.number(),
  })
  .strict();

const Totals = z
  .object({
    requests: z.number().int(),
    failed: z.number().int().describe("k6's http_req_failed: network errors and statuses outside 200–399"),
    errors: z
      .record(z.string(), z.number())
      .describe('By class: timeout, refused, reset, other, http_4xx, http_429, http_5xx'),
    statuses: z.record(z.string(), z.number()),
    bytesIn: z.number(),
    bytesOut: z.number(),
  })
  .strict();

const LatencyBlock = z
  .object({
    latency: LatencySummary.optional().describe('Absent when no request got a response'),
    histogram: z.string().describe('HDR histogram (µs), compressed base64: exact merges and re-computation'),
  })
  .strict();

/** One second of a load run: what the per-second charts draw. */
const LoadSecond = z
  .object({
    t: z.number().int().describe('Second since the load started'),
    requests: z.number().int(),
    failed: z.number().int(),
    errors: z.record(z.string(), z.number()),
    p50Ms: z.number().optional(),
    p95Ms: z.number().optional(),
    p99Ms: z.number().optional(),
    vus: z.number().int(),
    dropped: z.number().int(),
  })
  .strict();

export const LoadResult = z
  .object({
    engine: z.string(),
    profile: z.string(),
    executor: z.string(),
    model: z.enum(['open', 'closed']),
    workers: z.number().int(),
    generator: z
      .object({
        busiestWorkerElu: z
          .number()
          .describe('Event-loop utilisation of the busiest load worker, 0–1 (shown, never judged)'),
        lag: LatencyBlock.optional().describe(
          'Open model: how late each arrival was sent, or dropped, after its intended time; the generator verdict judges its p99',
        ),
        connectionLimit: z
          .number()
          .int()
          .optional()
          .describe('Open model: connections the generator could hold at once (maxVUs)'),
        core: z
          .enum(['native', 'js'])
          .optional()
          .describe(
            'Which socket loop sent the load: the native core (a process per worker) or JavaScript worker threads',
          ),
      })
      .strict()
      .optional(),
    identity: z
      .object({
        profileSha256: z.string().optional().describe('SHA-256 of the profile file’s bytes'),
        scenario: z.string().describe('The executor as run (env references resolved), JSON: rate, VUs, duration…'),
      })
      .strict()
      .optional()
      .describe('What `gauntlet compare` requires two runs to share'),
    startedAtMs: z.number().describe('On the run clock'),
    durationMs: z.number().describe('Measured window: first scheduled start to the last second reported'),
    scheduledMs: z.number(),
    totals: Totals.extend({
      iterations: z.number().int(),
      droppedIterations: z.number().int(),
      interruptedIterations: z.number().int(),
      maxVus: z.number().int(),
    }).strict(),
    all: LatencyBlock,
    byName: z.record(
      z.string(),
      LatencyBlock.extend({
        totals: Totals,
        method: z.string().describe('HTTP method, SQL verb or Redis command'),
        kind: z
          .enum(['http', 'postgres', 'redis'])
          .optional()
          .describe('What it was sent over (absent: HTTP); http_* metrics judge HTTP, db_* SQL, redis_* Redis'),
      }).strict(),
    ),
    iterationDuration: LatencyBlock,
    connecting: LatencyBlock.optional().describe(
      'TCP connect + TLS handshake of the requests that opened a connection (k6’s http_req_connecting + http_req_tls_handshaking); in the closed model not part of http_req_duration',
    ),
    errorReasons: z
      .record(z.string(), z.string())
      .optional()
      .describe('Per network error class, the first message seen (e.g. why a certificate was refused)'),
    series: z.array(LoadSecond),
    perSecond: z
      .record(z.string(), z.array(z.tuple([z.number().int(), z.number().int(), z.number().int()]).rest(z.string())))
      .optional()
      .describe(
        'Per request name, each second [t, requests, failed, latency HDR histogram if a windowed latency threshold needs it]: what windowed thresholds are judged on',
      ),
    littlesLaw: z
      .object({
        concurrency: z.number().describe('VUs the closed model ran'),
        observed: z.number().describe('throughput × (mean latency + think time)'),
        ratio: z.number(),
        ok: z.boolean(),
      })
      .strict()
      .optional()
      .describe("Closed-model consistency: Little's law says throughput × mean time in system = concurrency"),
    stoppedEarly: z.string().optional().describe('Why the load stopped before its schedule ended'),
    thresholdAbort: z
      .object({
        engine: z.string().describe('Who judged it failing and stopped the run: gauntlet (embedded, shards) or k6'),
        atMs: z.number().describe('When the run was stopped, from the start of the load'),
        thresholds: z.array(
          z
            .object({
              id: z.string().describe('"metric{tags} expr", as the threshold verdict’s id'),
              value: z.number().optional().describe('Its value when the run was stopped'),
              observed: z.string().optional(),
            })
            .strict(),
        ),
      })
      .strict()
      .optional()
      .describe('A threshold with abortOnFail stopped the run: it is held failed, whatever the final data say'),
    shards: z
      .array(
        z
          .object({
            index: z.number().int(),
            where: z.string().optional().describe('The pod it ran in'),
            status: z.enum(['done', 'lost', 'running']).describe('lost: it stopped before reporting its end'),
            lost: z.string().optional().describe('Why it was lost (exit code, reason)'),
            requests: z.number().int(),
            failed: z.number().int(),
            p50Ms: z.number().optional(),
            p95Ms: z.number().optional(),
            p99Ms: z.number().optional(),
            histogram: z
              .string()
              .optional()
              .describe('Its latency HDR histogram (µs, compressed base64); the run-wide one is their exact sum'),
            startSkewMs: z
              .number()
              .optional()
              .describe('How late it was ready behind the common start instant (0 = on time)'),
          })
          .strict(),
      )
      .optional()
      .describe('Distributed runs: each shard (pod) and what it sent; the figures above are their exact merge'),
    k6: z
      .object({
        version: z.string(),
        exitCode: z
          .number()
          .int()
          .describe('0 passed, 99 thresholds failed (a verdict, not a crash); anything else is an error'),
        error: z.string().optional(),
        thresholds: z.array(
          z
            .object({
              metric: z.string(),
              expr: z.string(),
              ok: z.boolean().describe("k6's own judgement"),
              observed: z.string().optional(),
            })
            .strict(),
        ),
        metrics: z
          .record(
            z.string(),
            z
              .object({ type: z.string(), contains: z.string().optional(), values: z.record(z.string(), z.number()) })
              .strict(),
          )
          .describe("k6's end-of-test metrics (built-in and the script's own)"),
        runners: z.number().int().optional().describe('k6-operator: runner pods whose results were merged'),
        bound: z.string().optional().describe('Why a merged figure is a bound, not exact'),
      })
      .strict()
      .optional()
      .describe('What k6 itself reported, when k6 ran the load'),
  })
  .strict();
export type LoadResult = z.infer<typeof LoadResult>;

export const CapacityStep = z
  .object({
    index: z.number().int(),
    phase: z.enum(['grow', 'narrow']),
    offeredRps: z.number(),
    achievedRps: z.number().describe('Responses and errors per second over the measured part'),
    requests: z.number().int(),
    p50Ms: z.number().optional(),
    p95Ms: z.number().optional(),
    p99Ms: z.number().optional(),
    errorRate: z.number().describe('Failed requests / requests, 0–1'),
    dropped: z.number().int(),
    busiestWorkerElu: z.number().optional(),
    sendLagP99Ms: z.number().optional().describe('p(99) of how late arrivals were sent: the generator’s own verdict'),
    outcome: z.enum(['good', 'bad', 'inconclusive']),
    why: z.string().optional().describe('Which thresholds failed, or why the step proves nothing'),
    startedAtMs: z.number().describe('Start of the measured part, on the run clock'),
    durationMs: z.number(),
  })
  .strict();
export type CapacityStep = z.infer<typeof CapacityStep>;

export const CapacityResult = z
  .object({
    profile: z.string(),
    sustainableRps: z.number().describe('Highest offered rate whose step held every threshold; 0 when none did'),
    breaksAtRps: z.number().optional().describe('Lowest offered rate whose step failed'),
    limitedBy: z
      .string()
      .describe('latency, errors, dropped iterations, generator, max rate, max duration, target stopped answering'),
    statement: z.string().describe('The answer in one sentence'),
    objectives: z.array(z.string()).describe('The thresholds each step was judged by'),
    steps: z.array(CapacityStep),
    trend: z
      .array(z.object({ runId: z.string(), startedAt: z.string(), sustainableRps: z.number() }).strict())
      .describe('Earlier runs of the same profile and environment, oldest first'),
  })
  .strict();
export type CapacityResult = z.infer<typeof CapacityResult>;

export const RestoreRecord = z
  .object({
    backup: z
      .object({
        method: z.string(),
        file: z.string().optional(),
        bytes: z.number().optional(),
        tookMs: z.number().optional(),
        takenAt: z.string().optional().describe('When the backup was taken (or the file last written)'),
      })
      .strict(),
    scratch: z.string().optional().describe('Where it was restored'),
    restoreTookMs: z
      .number()
      .optional()
      .describe('Scratch instance up, backup restored, copy verified: the restore RTO'),
    tables: z.array(
      z
        .object({
          table: z.string(),
          rows: z.number().optional(),
          checksum: z.string().optional(),
          sourceRows: z.number().optional(),
          sourceChecksum: z.string().optional(),
          comparedWith: z
            .string()
            .optional()
            .describe('What the copy was compared with: the source at the dump snapshot, or expected rows'),
          ok: z.boolean(),
          detail: z.string().optional(),
        })
        .strict(),
    ),
    verification: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() }).strict()),
    newestLedgerSeq: z.number().int().optional().describe("The write probe's newest row in the copy"),
    newestDataAt: z.string().optional().describe('The freshness query: newest data in the copy'),
    rpoMs: z.number().optional().describe('Age of the newest data in the copy at the fault'),
    rpoBasis: z.string().optional().describe('How the RPO was measured'),
    lostWrites: z
      .number()
      .int()
      .optional()
      .describe('Writes the probe had acknowledged before the fault that the copy lacks'),
    failure: z.string().optional().describe('Why the restore failed or did not verify'),
  })
  .strict();
export type RestoreRecord = z.infer<typeof RestoreRecord>;

export const PromSlo = z
  .object({
    name: z.string(),
    query: z.string(),
    objective: z.string(),
    aggregate: z.string(),
    stepMs: z.number(),
    series: z.array(
      z
        .object({
          labels: z.record(z.string(), z.string()),
          points: z.array(z.tuple([z.number(), z.number()])).describe('[run-clock ms, value]'),
        })
        .strict(),
    ),
  })
  .strict();
export type PromSlo = z.infer<typeof PromSlo>;

export const Delivery = z.object({ to: z.string(), ok: z.boolean(), detail: z.string() }).strict();
export type Delivery = z.infer<typeof Delivery>;

export const DrillScenario = z
  .object({
    name: z.string(),
    experiment: z.string(),
    chaosIndex: z.number().int().optional().describe('Its entry in chaos[]'),
    rtoMs: z.number().optional().describe('The longest RTO of its faults'),
    rtoProbe: z.string().optional().describe('The probe whose recovery measured that RTO'),
    rpoMs: z.number().optional().describe('Lost acknowledged writes’ span, or the restored copy’s age'),
    rpoBasis: z.string().optional(),
    lostWrites: z.number().int().optional(),
    uptime: z.number().optional().describe('0–1, of its http probe'),
    uptimeProbe: z.string().optional().describe('The probe the uptime is of'),
    status: z.enum(['passed', 'failed', 'error']),
    failures: z.array(z.string()).describe('Which of its verdicts failed'),
  })
  .strict();

export const DrillResult = z
  .object({
    name: z.string(),
    plan: z.object({ rto: z.string(), rpo: z.string() }).strict(),
    scenarios: z.array(DrillScenario),
    signOff: z
      .object({
        environment: z.string(),
        operator: z.string(),
        host: z.string(),
        startedAt: z.string(),
        endedAt: z.string(),
        config: z.string(),
        configDigest: z.string(),
        inputs: z
          .array(z.object({ file: z.string(), sha256: z.string() }).strict())
          .optional()
          .describe('Every file that defined the drill, with the SHA-256 of its bytes'),
        versions: z
          .record(z.string(), z.string())
          .describe('gauntlet, node, and what the target said (PostgreSQL, Patroni)'),
      })
      .strict(),
    previous: z
      .object({
        runId: z.string(),
        startedAt: z.string(),
        status: z.string(),
        scenarios: z.array(DrillScenario.pick({ name: true, rtoMs: true, rpoMs: true, status: true })),
      })
      .strict()
      .optional()
      .describe('The last drill of this environment found in reports/'),
    history: z
      .array(z.object({ runId: z.string(), startedAt: z.string(), status: z.string() }).strict())
      .describe('Earlier drills, oldest first'),
  })
  .strict();
export type DrillResult = z.infer<typeof DrillResult>;
export type DrillScenario = z.infer<typeof DrillScenario>;

export const ChaosResult = z
  .object({
    alerts: z
      .object({
        polls: z.number().int(),
        failedPolls: z.number().int(),
        seen: z.array(
          z
            .object({
              name: z.string(),
              labels: z.record(z.string(), z.string()),
              firstSeenMs: z.number(),
              startsAt: z.string(),
            })
            .strict(),
        ),
      })
      .strict()
      .optional()
      .describe("Alertmanager's active alerts seen during the experiment"),
    experiment: z.string(),
    description: z.string().optional(),
    dryRun: z.boolean(),
    windowStartMs: z.number().describe('Start of the observation window on the run clock'),
    windowEndMs: z.number(),
    steadyState: z
      .object({
        before: z.enum(['met', 'not met', 'not checked']),
        after: z.enum(['met', 'not met', 'not checked']),
        detail: z.string().optional(),
      })
      .strict(),
    faults: z.array(
      z
        .object({
          id: z.string(),
          label: z.string(),
          target: z.string().describe('What preflight resolved it would hit'),
          injectedAtMs: z.number().optional(),
          events: z.array(z.object({ atMs: z.number(), what: z.string() }).strict()),
          recoveryProbe: z.string().optional(),
          recoveryWatchedBy: z
            .enum(['api'])
            .optional()
            .describe(
              'api: the fault watched its own recovery through an API (a workload whole again) until its timeout',
            ),
          rtoMs: z.number().optional(),
          recoveredAtMs: z.number().optional(),
          recovery: z.string().describe('How recovery was judged, or why it was not'),
          loadRtoMs: z
            .number()
            .optional()
            .describe(
              'The RTO the experiment’s load saw, to the second: injection → first 2 clean seconds after its first failure (0: it saw none)',
            ),
          loadRecovery: z.string().optional().describe('How the load’s RTO was read'),
          error: z.string().optional(),
          restore: RestoreRecord.optional().describe(
            'backup-restore: the backup, the restore, its verification and RPO',
          ),
        })
        .strict(),
    ),
    probes: z.array(
      z
        .object({
          name: z.string(),
          kind: z.string(),
          intervalMs: z.number(),
          total: z.number().int(),
          ok: z.number().int(),
          healthyMs: z
            .number()
            .optional()
            .describe('Time covered by healthy samples in the window (each sample covers its interval)'),
          coveredMs: z
            .number()
            .optional()
            .describe('Time covered by samples in the window; uptime = healthyMs ÷ coveredMs'),
          samples: z
            .array(z.tuple([z.number(), z.number(), z.number()]))
            .describe('[ms on the run clock, 1 ok / 0 failed, latency ms]'),
        })
        .strict(),
    ),
    ledgerUnverified: z
      .string()
      .optional()
      .describe('Why the write ledger could not be read back (the RPO is then no-data)'),
    ledger: z
      .object({
        probe: z.string(),
        acknowledged: z.number().int(),
        failed: z.number().int(),
        indeterminate: z.number().int(),
        recovered: z.number().int(),
        lost: z.array(z.object({ seq: z.number().int(), atMs: z.number() }).strict()),
        lostSpanMs: z.number(),
        verified: z.string().describe('How the ledger was read back'),
        series: z
          .array(
            z
              .object({
                t: z.number().int().describe('Seconds from the window start (negative before it), by send time'),
                acknowledged: z.number().int(),
                failed: z.number().int(),
                indeterminate: z.number().int(),
                lost: z.number().int(),
              })
              .strict(),
          )
          .optional()
          .describe('The writes second by second, for the timeline'),
      })
      .strict()
      .optional(),
    load: z
      .object({
        profile: z.string(),
        engine: z.string(),
        startedAtMs: z.number().describe('On the run clock'),
        series: z.array(LoadSecond),
      })
      .strict()
      .optional()
      .describe('The load that ran during the experiment, second by second: what users saw through the fault'),
    rollbacks: z.array(
      z.object({ fault: z.string(), actions: z.array(z.string()), error: z.string().optional() }).strict(),
    ),
    stoppedEarly: z.string().optional(),
  })
  .strict();
export type ChaosResult = z.infer<typeof ChaosResult>;

export const RunStatus = z.enum(['passed', 'failed', 'error', 'aborted']);
export type RunStatus = z.infer<typeof RunStatus>;

export const KeyFigures = z
  .object({
    p95Ms: z.number().optional().describe('The load’s p95 latency, all requests'),
    errorRate: z.number().optional().describe('The load’s failed requests ÷ requests'),
    throughputRps: z.number().optional().describe('The load’s requests answered without failure, per second'),
    uptime: z.number().optional().describe('The lowest uptime (0–1) of any probe of any experiment'),
    sustainableRps: z.number().optional().describe('Capacity: the highest rate that met every objective'),
    rtoMs: z.number().optional().describe('The longest RTO of any fault'),
    lostWrites: z.number().int().optional().describe('Acknowledged writes lost, over every experiment'),
  })
  .strict();
export type KeyFigures = z.infer<typeof KeyFigures>;

export const RunRecord = z
  .object({
    schemaVersion: z.literal(RECORD_VERSION),
    runId: z.string(),
    command: z.string().describe('smoke | load | gate | chaos | drill …'),
    status: RunStatus,
    exitCode: z.number().int(),
    tool: z.object({ name: z.literal('gauntlet'), version: z.string(), node: z.string() }).strict(),
    environment: z
      .object({
        name: z.string(),
        baseUrl: z.string(),
        container: z
          .object({
            image: z.string(),
            imageId: z.string().describe('sha256:… — exactly what ran (the image’s content-addressed id)'),
            repoDigests: z
              .array(z.string())
              .optional()
              .describe(
                'registry/name@sha256:… — the digests it was pulled or pushed by (none for an image built here)',
              ),
          })
          .strict()
          .optional()
          .describe('The image under test, when the environment started one'),
      })
      .strict(),
    config: z
      .object({ file: z.string(), digest: z.string().describe('sha256 of the bytes of the config file') })
      .strict(),
    inputs: z
      .array(z.object({ file: z.string(), sha256: z.string() }).strict())
      .optional()
      .describe('SHA-256 of the bytes of every file that defined the run: config, suites, profiles, experiments'),
    host: z.string(),
    startedAt: z.string(),
    endedAt: z.string(),
    durationMs: z.number(),
    checks: z.array(CheckResult),
    load: LoadResult.optional(),
    chaos: z.array(ChaosResult).optional().describe('One entry per experiment run (a drill or the demo runs several)'),
    capacity: CapacityResult.optional(),
    drill: DrillResult.optional(),
    prometheus: z.array(PromSlo).optional().describe('SLOs measured by Prometheus over the run’s window'),
    delivery: z
      .array(Delivery)
      .optional()
      .describe('Where the results were sent (Pushgateway, Grafana) and whether that worked; never a verdict'),
    verdicts: z.array(Verdict),
    errors: z.array(z.string()).describe('Why the harness could not run or finish, one line each'),
    commandLine: z.string().optional().describe('How Gauntlet was invoked (secrets redacted)'),
    trend: z
      .array(z.object({ runId: z.string(), startedAt: z.string(), status: RunStatus, figures: KeyFigures }).strict())
      .optional()
      .describe('Earlier runs of the same command in this environment (the last 10), oldest first'),
  })
  .strict();
export type RunRecord = z.infer<typeof RunRecord>;

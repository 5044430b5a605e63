// The one model of gauntlet.config.{ts,yaml}. Types are inferred from these schemas.
import { z } from 'zod';
import { ObjectiveText, TimeObjectiveText } from './objective.ts';
import { Duration, UrlOrRef, isEnvRef } from './primitives.ts';
import { FormatVersion } from './version.ts';

/** Where a live output sends a load's figures: its URL, headers (credentials from ${env:…}), how often. */
const liveEndpoint = (url: string, tokenVar: string, verb: string) => ({
  url: UrlOrRef.describe(url),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe(`e.g. { authorization: "Bearer \${env:${tokenVar}}" } — credentials from \${env:…} only`),
  pushInterval: Duration.default(5000).describe(`How often the figures so far are ${verb} during a load`),
});

/** A server the image under test needs, started in its own container before it. */
const imageDependency = (what: string, example: string, urlVar: string, envKey: string) =>
  z
    .object({
      image: z.string().min(1).describe(`A ${what} image with the official image’s interface, e.g. ${example}`),
      urlVar: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
        .default(urlVar)
        .describe('The variable that gives the image under test its URL'),
    })
    .strict()
    .optional()
    .describe(
      `Its ${what}: started first, its URL given to the image as urlVar and used as the environment’s ${envKey} unless one is set`,
    );

export const Environment = z
  .object({
    baseUrl: UrlOrRef.describe('Where the API answers, e.g. https://staging.example.com'),
    frontendUrl: UrlOrRef.optional().describe('Where the frontend is served (defaults to baseUrl)'),
    headers: z.record(z.string(), z.string()).optional().describe('Headers sent with every request'),
    tls: z
      .object({
        ca: z
          .string()
          .min(1)
          .optional()
          .describe(
            'PEM file of the CA(s) that signed the target’s certificate (path relative to the config, or ${env:NAME})',
          ),
        cert: z.string().min(1).optional().describe('PEM file of a client certificate (mTLS)'),
        key: z.string().min(1).optional().describe('PEM file of the client certificate’s key (mTLS)'),
        insecureSkipVerify: z
          .boolean()
          .default(false)
          .describe('Accept any certificate (staging with a self-signed one): said loudly in every report'),
      })
      .strict()
      .refine((t) => (t.cert === undefined) === (t.key === undefined), {
        message: 'a client certificate needs both cert and key',
      })
      .optional()
      .describe('TLS for https:// targets, honoured by smoke checks, probes and every load engine'),
    postgres: z.object({ url: UrlOrRef, replicaUrl: UrlOrRef.optional() }).strict().optional(),
    redis: z.object({ url: UrlOrRef }).strict().optional(),
    container: z
      .object({
        image: z
          .string()
          .min(1)
          .describe('The image under test, e.g. registry.example/api:${env:GIT_SHA} (never pulled)'),
        env: z.record(z.string(), z.string()).optional().describe('Its environment variables; secrets as ${env:NAME}'),
        command: z.array(z.string()).optional().describe("Replaces the image's command"),
        waitFor: z
          .object({
            path: z.string().default('/').describe('Ready when GET baseUrl+path answers below 500'),
            timeout: Duration.default(60_000),
          })
          .strict()
          .default({ path: '/', timeout: 60_000 }),
        postgres: imageDependency('PostgreSQL', 'postgres:17', 'DATABASE_URL', 'postgres.url'),
        redis: imageDependency('Redis', 'redis:7', 'REDIS_URL', 'redis.url'),
      })
      .strict()
      .optional()
      .describe(
        "A gate before the deploy: Gauntlet starts this image (through Docker, host networking: it must listen on baseUrl's port on 127.0.0.1), runs against it, and removes it",
      ),
    patroni: z
      .object({
        restUrls: z.array(UrlOrRef).min(1).describe('Patroni REST APIs of the members (any one answers /cluster)'),
        restart: z
          .record(z.string(), z.array(z.string()).min(1))
          .optional()
          .describe(
            'Per member name: the command that starts its Patroni again (what systemd would do); used by rollbacks',
          ),
      })
      .strict()
      .optional(),
    prometheus: z
      .object({ url: UrlOrRef.describe('Prometheus’s base URL, e.g. http://prometheus:9090') })
      .strict()
      .optional(),
    alertmanager: z.object({ url: UrlOrRef }).strict().optional(),
    pushgateway: z
      .object({
        url: UrlOrRef,
        job: z
          .string()
          .regex(/^[A-Za-z0-9_:-]+$/)
          .default('gauntlet'),
        live: z.boolean().default(false).describe('Also push the load’s per-second figures while it runs'),
      })
      .strict()
      .optional()
      .describe('After each run, its key figures are pushed here (grouped by environment, command and engine)'),
    grafana: z
      .object({
        url: UrlOrRef,
        token: z.string().min(1).describe('A Grafana service-account token, as ${env:NAME} (never inline)'),
      })
      .strict()
      .optional()
      .describe('Fault injections and recoveries are written as annotations'),
    kubernetes: z
      .object({
        context: z.string(),
        namespace: z.string(),
        kubeconfig: z.string().optional(),
        shards: z
          .object({
            image: z.string().min(1).describe('The Gauntlet image the shard pods run (build it from the Dockerfile)'),
            hostNetwork: z
              .boolean()
              .default(false)
              .describe('Run shard pods on the node’s network (a target on the node’s loopback)'),
            startDelay: Duration.default(15_000).describe(
              'From the Job’s creation to the instant every shard starts: time for pods to be scheduled and start',
            ),
          })
          .strict()
          .optional()
          .describe('--engine kubernetes: distributed load as an Indexed Job of the Gauntlet image'),
        k6Operator: z
          .object({
            prometheus: z
              .object({
                remoteWriteUrl: z
                  .string()
                  .url()
                  .describe('Where the runners send k6’s metrics (Prometheus remote write, as the pods reach it)'),
                queryUrl: z.string().url().describe('The same Prometheus’s HTTP API, as Gauntlet reaches it'),
              })
              .strict()
              .optional()
              .describe(
                'Merge the runners’ latency through Prometheus native histograms (each percentile within its bucket) instead of per-runner bounds',
              ),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Environment = z.infer<typeof Environment>;

/**
 * The environment's postgres and redis: its own where it sets them, else the servers started
 * beside its image under test (`container.postgres` / `container.redis`).
 */
export function withImageServers<E extends Pick<Environment, 'postgres' | 'redis'>>(
  env: E,
  urls: { postgres?: string | undefined; redis?: string | undefined },
): E {
  return {
    ...env,
    ...(urls.postgres && !env.postgres ? { postgres: { url: urls.postgres } } : {}),
    ...(urls.redis && !env.redis ? { redis: { url: urls.redis } } : {}),
  };
}

export const Slos = z
  .object({
    thresholds: z
      .record(z.string(), z.array(z.string()).min(1))
      .optional()
      .describe("k6 threshold expressions per metric, e.g. { 'http_req_duration{name:api}': ['p(95)<200'] }"),
    uptime: ObjectiveText('uptime', '">=99.9%" or "99.9%" (at least)')
      .optional()
      .describe('Default uptime objective of experiments that set none and have an http probe'),
    rto: ObjectiveText('rto', '"<60s" (at most)')
      .optional()
      .describe('Default RTO objective of experiments that set none'),
    rpo: ObjectiveText('rpo', '"0 writes" or "<1h" (at most)')
      .optional()
      .describe(
        'Default RPO objective of experiments that set none and measure data loss (a db-write probe, or a restore with a freshness query)',
      ),
    prometheus: z
      .array(
        z
          .object({
            name: z.string().min(1),
            query: z
              .string()
              .min(1)
              .describe(
                'PromQL, e.g. sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))',
              ),
            objective: z.string().regex(/^\s*(<=|>=|<|>|==)\s*-?\d+(\.\d+)?(e-?\d+)?\s*$/, {
              message: 'an objective is a comparison with a number, e.g. "<0.01"',
            }),
            aggregate: z
              .enum(['max', 'min', 'avg', 'last'])
              .optional()
              .describe(
                'What of the series over the run’s window is judged; by default its worst point for the objective: min for a floor (> or >=), max otherwise',
              ),
            step: Duration.default(5000),
          })
          .strict()
          // The worst point for the objective's direction: a floor judged on its best point (max)
          // would pass a series that touched the floor once.
          .transform((s) => ({ ...s, aggregate: s.aggregate ?? (/^\s*>/.test(s.objective) ? 'min' : 'max') })),
      )
      .default([])
      .describe(
        'SLOs measured by the environment’s Prometheus over the run’s window (a range query), judged after the run',
      ),
  })
  .strict();
export type Slos = z.infer<typeof Slos>;

export const Config = z
  .object({
    $schema: z.string().optional(),
    version: FormatVersion,
    environments: z
      .record(z.string().regex(/^[A-Za-z0-9_-]+$/), Environment)
      .refine((e) => Object.keys(e).length > 0, { message: 'at least one environment is needed' }),
    defaultEnvironment: z.string().optional(),
    smoke: z
      .array(z.string())
      .default(['smoke/*.smoke.ts', 'smoke/*.smoke.yaml', 'smoke/*.smoke.yml'])
      .describe('Globs of smoke suite files, relative to the config file'),
    gate: z
      .object({ smoke: z.boolean().default(true), load: z.string().optional() })
      .strict()
      .default({ smoke: true }),
    slos: Slos.default({ prometheus: [] }),
    outputs: z
      .object({
        prometheusRemoteWrite: z
          .object({
            ...liveEndpoint(
              'The remote-write endpoint, e.g. http://prometheus:9090/api/v1/write',
              'RW_TOKEN',
              'pushed',
            ),
            nativeHistograms: z
              .boolean()
              .default(false)
              .describe(
                "Trends as native histograms (k6_http_req_duration_seconds, schema 8), as k6's K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM; the receiver needs --enable-feature=native-histograms",
              ),
          })
          .strict()
          .optional()
          .describe("Every load's figures, live, under the names k6's remote-write output uses"),
        otlp: z
          .object({
            ...liveEndpoint(
              'The OTLP/HTTP metrics endpoint, e.g. http://otel-collector:4318/v1/metrics',
              'OTLP_TOKEN',
              'exported',
            ),
            metricPrefix: z
              .string()
              .default('k6_')
              .describe("Prefix of every metric name, as k6's K6_OTEL_METRIC_PREFIX (its documentation runs with k6_)"),
          })
          .strict()
          .optional()
          .describe(
            "Every load's figures, live, over OTLP/HTTP (protobuf) under the names k6's OpenTelemetry output uses",
          ),
      })
      .strict()
      .default({}),
    kubernetes: z
      .object({
        allow: z
          .array(
            z
              .object({
                context: z.string().min(1),
                namespaces: z.array(z.string().min(1)).min(1).describe('"*" for every namespace'),
              })
              .strict(),
          )
          .default([])
          .describe('The kube contexts and namespaces Gauntlet may change; anything else is refused before any call'),
        maxKillShare: z
          .number()
          .gt(0)
          .max(1)
          .default(0.5)
          .describe('Never kill more than this share of a workload’s pods at once'),
      })
      .strict()
      .default({ allow: [], maxKillShare: 0.5 }),
    drill: z
      .object({
        name: z.string().default('DR drill'),
        plan: z
          .object({
            rto: ObjectiveText('rto', '"<2h"').describe('The DR plan’s recovery time objective, e.g. "<2h" (at most)'),
            rpo: TimeObjectiveText('rpo', '"<1h"').describe('Its recovery point objective, e.g. "<1h" (at most)'),
          })
          .strict()
          .describe('The targets every scenario is judged by, besides its own SLOs'),
        scenarios: z
          .array(
            z
              .object({
                name: z.string().min(1),
                experiment: z.string().describe('A chaos experiment file, relative to the config'),
              })
              .strict(),
          )
          .min(1),
        history: z.number().int().positive().default(4).describe('Earlier drills the report compares with'),
      })
      .strict()
      .optional()
      .describe('`gauntlet drill`: the quarterly DR drill, a plan of chaos experiments judged against the DR plan'),
    compare: z
      .object({
        latencyIncrease: z
          .number()
          .min(0)
          .default(0.1)
          .describe('p95/p99 may grow by this share before `gauntlet compare` calls it a regression (0.1 = +10%)'),
        latencyFloorMs: z
          .number()
          .min(0)
          .default(2)
          .describe(
            '…and by this many ms; smaller changes are never a regression (2: identical runs on a shared 2-core VM drift 1–2 ms; BENCHMARKS.md)',
          ),
        errorRateIncrease: z
          .number()
          .min(0)
          .default(0.005)
          .describe('Error rate may grow by this many points (0.005 = +0.5 pt)'),
        throughputDrop: z
          .number()
          .min(0)
          .max(1)
          .default(0.1)
          .describe('Throughput and capacity may fall by this share'),
        rtoIncrease: z.number().min(0).default(0.25).describe('An RTO may grow by this share'),
      })
      .strict()
      .default({
        latencyIncrease: 0.1,
        latencyFloorMs: 2,
        errorRateIncrease: 0.005,
        throughputDrop: 0.1,
        rtoIncrease: 0.25,
      }),
    notify: z
      .object({
        webhook: z
          .object({
            url: z.string().regex(/^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/, {
              message: 'a webhook URL is a secret: reference it as ${env:NAME}, never inline',
            }),
            on: z.enum(['failure', 'always']).default('failure').describe('failure: any run that did not pass'),
            timeout: Duration.default(5_000),
          })
          .strict()
          .optional()
          .describe('A Slack-compatible incoming webhook, posted after the reports are written'),
      })
      .strict()
      .default({}),
    reports: z
      .object({ dir: z.string().default('reports') })
      .strict()
      .default({ dir: 'reports' }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.defaultEnvironment && !(c.defaultEnvironment in c.environments)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultEnvironment'],
        message: `names "${c.defaultEnvironment}", which is not in environments (${Object.keys(c.environments).join(', ')})`,
      });
    }
    for (const [name, e] of Object.entries(c.environments)) {
      if (e.grafana && !isEnvRef(e.grafana.token)) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', name, 'grafana', 'token'],
          message: 'a token is a secret: reference it as ${env:NAME}, never inline',
        });
      }
    }
  });
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;

/** Types for gauntlet.config.ts. */
export const defineConfig = (config: ConfigInput): ConfigInput => config;

/** Why Gauntlet may not change anything in this context and namespace; undefined when the allow-list permits it. */
export function notAllowListed(
  allow: readonly { context: string; namespaces: readonly string[] }[],
  context: string,
  namespace: string,
): string | undefined {
  const allowed = allow.find((a) => a.context === context);
  if (!allowed)
    return `kubernetes context "${context}" is not allow-listed: add it to kubernetes.allow in the config before Gauntlet may change anything there`;
  if (!allowed.namespaces.includes(namespace) && !allowed.namespaces.includes('*'))
    return `namespace "${namespace}" of context "${context}" is not allow-listed (allowed: ${allowed.namespaces.join(', ') || 'none'})`;
  return undefined;
}

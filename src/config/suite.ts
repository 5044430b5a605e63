// The model of smoke suites: checks of every kind, as TS suites and YAML suites write them.
import { z } from 'zod';
import { Duration } from './primitives.ts';

/** A declarative matcher, usable in YAML: equals / exists / matches / lessThan / greaterThan / contains. */
export const Matcher = z
  .object({
    equals: z.unknown().optional(),
    exists: z.boolean().optional(),
    matches: z.string().optional().describe('A regular expression the value (as a string) must match'),
    lessThan: z.number().optional(),
    greaterThan: z.number().optional(),
    contains: z.string().optional(),
  })
  .strict();
export type Matcher = z.infer<typeof Matcher>;

export const PathMatcher = Matcher.extend({
  path: z.string().describe('JSONPath into the body, e.g. $.items[0].id'),
}).strict();
export type PathMatcher = z.infer<typeof PathMatcher>;

/** A zod schema passed in a TS suite (`json: z.object({...})`); YAML suites use `body` matchers. */
const ZodSchemaValue = z
  .custom<z.ZodType>((v) => typeof (v as { safeParse?: unknown } | null)?.safeParse === 'function', {
    message: 'must be a zod schema',
  })
  .meta({ description: 'A zod schema (TS suites only)' });

const Retry = z
  .object({
    for: Duration.describe('Keep retrying a failing check this long (a deploy still warming up)'),
    initialBackoff: Duration.default(250),
    maxBackoff: Duration.default(5000),
  })
  .strict();

const Capture = z.union([
  z.object({ jsonPath: z.string(), secret: z.boolean().default(true) }).strict(),
  z.object({ header: z.string(), secret: z.boolean().default(true) }).strict(),
  z.object({ regex: z.string(), secret: z.boolean().default(true) }).strict(),
]);
export type Capture = z.infer<typeof Capture>;

const common = {
  name: z.string().min(1),
  timeout: Duration.default(10_000),
  retry: Retry.optional(),
  capture: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), Capture).optional(),
  tags: z.record(z.string(), z.string()).optional(),
};

/** One status: a code like 200, or a class like "2xx". */
const statusError = (iss: { input?: unknown }) =>
  `expected a number like 200, a class like "2xx", or a list of them; got ${typeof iss.input === 'string' ? `the string ${JSON.stringify(iss.input)}` : (JSON.stringify(iss.input) ?? String(iss.input))}`;
const StatusOne = z.union(
  [
    z.number({ error: statusError }).int().min(100).max(599),
    z.string({ error: statusError }).regex(/^[1-5]xx$/, { error: statusError }),
  ],
  { error: statusError },
);

const ResponseExpect = {
  status: z.union([StatusOne, z.array(StatusOne).min(1)], { error: statusError }).optional(),
  headers: z.record(z.string(), z.union([z.string(), Matcher])).optional(),
  json: ZodSchemaValue.optional(),
  body: z.array(PathMatcher).optional(),
  bodyContains: z.string().optional(),
  maxDuration: Duration.optional(),
};

export const HttpCheck = z
  .object({
    kind: z.literal('http'),
    ...common,
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    path: z.string().describe('Path relative to the environment baseUrl, or an absolute URL'),
    query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    body: z.string().optional(),
    json: z.unknown().optional().describe('A JSON request body'),
    followRedirects: z.boolean().default(false),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    expect: z.object(ResponseExpect).strict().default({}),
  })
  .strict();

export const GraphqlCheck = z
  .object({
    kind: z.literal('graphql'),
    ...common,
    path: z.string().default('/graphql'),
    query: z.string().min(1),
    variables: z.record(z.string(), z.unknown()).optional(),
    operationName: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    expect: z
      .object({
        ...ResponseExpect,
        errors: z.boolean().default(false).describe('Whether a GraphQL errors array is acceptable'),
      })
      .strict()
      .default({ errors: false }),
  })
  .strict();

const WsExpect = z
  .object({
    equals: z.string().optional(),
    matches: z.string().optional(),
    base64: z.string().optional().describe('A binary message equal to these bytes (base64)'),
    json: ZodSchemaValue.optional(),
    body: z.array(PathMatcher).optional(),
    within: Duration.default(5000),
  })
  .strict();

export const WebsocketCheck = z
  .object({
    kind: z.literal('websocket'),
    ...common,
    path: z.string().describe('Path relative to baseUrl (http→ws) or an absolute ws:// URL'),
    headers: z.record(z.string(), z.string()).optional(),
    connectTimeout: Duration.default(5000),
    send: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    expect: WsExpect.default({ within: 5000 }),
    steps: z
      .array(
        z
          .object({
            name: z.string().optional(),
            send: z
              .union([z.string(), z.record(z.string(), z.unknown())])
              .optional()
              .describe('Text, or an object sent as JSON'),
            sendBinary: z.string().optional().describe('A binary frame, written as base64'),
            expect: WsExpect.optional().describe(
              'A message that must arrive within its deadline (others before it are skipped)',
            ),
          })
          .strict()
          .refine((s) => !(s.send !== undefined && s.sendBinary !== undefined), {
            message: 'a step sends text or binary, not both',
          }),
      )
      .min(1)
      .optional()
      .describe(
        'A conversation on one connection: each step sends, then waits for its message; the check fails on the first step that does not hold',
      ),
  })
  .strict()
  .refine((c) => c.steps === undefined || c.send === undefined, {
    message: 'use steps or send/expect, not both',
    path: ['steps'],
  });

const PgQuery = z
  .object({
    name: z.string().optional(),
    sql: z.string().min(1),
    params: z.array(z.unknown()).optional(),
    expect: z
      .object({
        rowCount: z.union([z.number().int(), Matcher]).optional(),
        value: Matcher.optional().describe('Applied to the first column of the first row'),
        rows: z
          .array(z.record(z.string(), z.unknown()))
          .optional()
          .describe('The rows, exactly (as objects by column)'),
      })
      .strict()
      .default({}),
  })
  .strict();

export const PostgresCheck = z
  .object({
    kind: z.literal('postgres'),
    ...common,
    database: z
      .enum(['primary', 'replica'])
      .default('primary')
      .describe("Which of the environment's postgres URLs to use"),
    url: z.string().optional().describe('Overrides the environment URL; reference secrets as ${env:NAME}'),
    ssl: z
      .object({
        mode: z.enum(['disable', 'require', 'verify-ca', 'verify-full']).default('disable'),
        ca: z.string().optional().describe('Path of a CA certificate (PEM)'),
      })
      .strict()
      .optional(),
    connectTimeout: Duration.default(5000),
    statementTimeout: Duration.default(5000).describe('Every query runs under this statement_timeout'),
    expect: z
      .object({
        role: z
          .enum(['primary', 'replica'])
          .optional()
          .describe('pg_is_in_recovery(): a primary URL landing on a replica fails'),
        maxRoundTrip: Duration.optional().describe('select 1 round trip'),
        maxReplicationLag: Duration.optional().describe(
          'On a replica: time behind its primary (0 when it has replayed all it received)',
        ),
        maxLagBytes: z
          .number()
          .int()
          .nonnegative()
          .optional()
          .describe('On a replica: received but not yet replayed WAL'),
        maxConnections: z.number().int().positive().optional().describe('Connections in pg_stat_activity'),
      })
      .strict()
      .default({}),
    queries: z.array(PgQuery).default([]),
  })
  .strict();

export const RedisCheck = z
  .object({
    kind: z.literal('redis'),
    ...common,
    url: z.string().optional().describe("Overrides the environment's redis URL"),
    connectTimeout: Duration.default(5000),
    keyTtl: Duration.default(60_000).describe('TTL of the round-trip key'),
    expect: z
      .object({
        role: z.enum(['master', 'replica']).optional().describe('INFO replication role'),
        maxRoundTrip: Duration.optional(),
        maxMemoryBytes: z.number().int().positive().optional().describe('INFO memory used_memory'),
      })
      .strict()
      .default({}),
  })
  .strict();

export const PlaywrightCheck = z
  .object({
    kind: z.literal('playwright'),
    ...common,
    timeout: Duration.default(30_000).describe('Per test'),
    specs: z.array(z.string()).min(1).describe('Globs of spec files, relative to the suite file'),
    overallTimeout: Duration.default(300_000).describe('The whole Playwright run'),
    retries: z.number().int().nonnegative().default(0),
  })
  .strict();

export const Check = z.discriminatedUnion('kind', [
  HttpCheck,
  GraphqlCheck,
  WebsocketCheck,
  PostgresCheck,
  RedisCheck,
  PlaywrightCheck,
]);
export type Check = z.infer<typeof Check>;
export type CheckInput = z.input<typeof Check>;
export type CheckKind = Check['kind'];
export type HttpCheck = z.infer<typeof HttpCheck>;
export type GraphqlCheck = z.infer<typeof GraphqlCheck>;
export type WebsocketCheck = z.infer<typeof WebsocketCheck>;
export type PostgresCheck = z.infer<typeof PostgresCheck>;
export type RedisCheck = z.infer<typeof RedisCheck>;
export type PlaywrightCheck = z.infer<typeof PlaywrightCheck>;

export const Suite = z
  .object({
    name: z.string().min(1),
    checks: z.array(Check).min(1),
  })
  .strict();
export type Suite = z.infer<typeof Suite>;
export type SuiteInput = z.input<typeof Suite>;

type Opts<K extends CheckKind> = Omit<Extract<CheckInput, { kind: K }>, 'kind' | 'name'>;

/** Helpers for TS suites: `http('health', { path: '/health', expect: { status: 200 } })`. */
export const http = (name: string, opts: Opts<'http'>) => ({ kind: 'http', name, ...opts }) as const;
export const graphql = (name: string, opts: Opts<'graphql'>) => ({ kind: 'graphql', name, ...opts }) as const;
export const ws = (name: string, opts: Opts<'websocket'>) => ({ kind: 'websocket', name, ...opts }) as const;
export const postgres = (name: string, opts: Opts<'postgres'>) => ({ kind: 'postgres', name, ...opts }) as const;
export const redis = (name: string, opts: Opts<'redis'>) => ({ kind: 'redis', name, ...opts }) as const;
export const playwright = (name: string, opts: Opts<'playwright'>) => ({ kind: 'playwright', name, ...opts }) as const;
export const defineSuite = (suite: SuiteInput): SuiteInput => suite;

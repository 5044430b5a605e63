// The run record: one versioned JSON document, the single source of truth every report is a view of.
import { z } from 'zod';

export const RECORD_VERSION = 1;

export const Expectation = z
  .object({ what: z.string(), ok: z.boolean(), expected: z.string().optional(), actual: z.string().optional() })
  .strict();
export type Expectation = z.infer<typeof Expectation>;

export const Exchange = z
  .object({
    request: z
      .object({ method: z.string(), url: z.string(), headers: z.record(z.string(), z.string()), body: z.string().optional() })
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
    expectations: z.array(Expectation),
    captured: z.array(z.string()).describe('Names of values captured for later checks (values are never recorded)'),
  })
  .strict();
export type CheckResult = z.infer<typeof CheckResult>;

export const VerdictStatus = z.enum(['pass', 'fail', 'no-data']);
export type VerdictStatus = z.infer<typeof VerdictStatus>;

export const Verdict = z
  .object({
    id: z.string().describe('Unique within the run'),
    source: z.enum(['smoke', 'threshold', 'slo']),
    objective: z.string().describe('What was required, e.g. "p(95)<200" or "all smoke checks pass"'),
    status: VerdictStatus,
    observed: z.string().optional().describe('What was measured, with units'),
    detail: z.string().optional(),
  })
  .strict();
export type Verdict = z.infer<typeof Verdict>;

export const RunStatus = z.enum(['passed', 'failed', 'error', 'aborted']);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunRecord = z
  .object({
    schemaVersion: z.literal(RECORD_VERSION),
    runId: z.string(),
    command: z.string().describe('smoke | load | gate | chaos | drill …'),
    status: RunStatus,
    exitCode: z.number().int(),
    tool: z.object({ name: z.literal('gauntlet'), version: z.string(), node: z.string() }).strict(),
    environment: z.object({ name: z.string(), baseUrl: z.string() }).strict(),
    config: z.object({ file: z.string(), digest: z.string().describe('sha256 of the redacted config') }).strict(),
    host: z.string(),
    startedAt: z.string(),
    endedAt: z.string(),
    durationMs: z.number(),
    checks: z.array(CheckResult),
    verdicts: z.array(Verdict),
    errors: z.array(z.string()).describe('Why the harness could not run or finish, one line each'),
  })
  .strict();
export type RunRecord = z.infer<typeof RunRecord>;

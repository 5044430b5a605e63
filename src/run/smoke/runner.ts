// Runs suites in order: each check with its retries (backoff until its deadline), captures
// handed to later checks, every outcome a CheckResult value. Nothing here prints.
import type { Check, CheckKind, Capture } from '../../config/suite.ts';
import type { LoadedSuite } from '../../config/suites.ts';
import type { CheckResult } from '../../record/schema.ts';
import { describeError } from '../../core/errors.ts';
import { truncate } from '../../core/redact.ts';
import { queryPath } from './expect.ts';
import { passed, TemplateError, type Attempt, type CheckContext } from './context.ts';
import { graphqlCheck, httpCheck } from './checks/http.ts';
import { websocketCheck } from './checks/websocket.ts';
import { postgresCheck } from './checks/postgres.ts';
import { redisCheck } from './checks/redis.ts';
import { playwrightCheck } from './checks/playwright.ts';
import { sleep } from '../../core/sleep.ts';

type CheckFn = (check: never, ctx: CheckContext, suiteFile?: string) => Promise<Attempt>;
const checks = {
  http: httpCheck,
  graphql: graphqlCheck,
  websocket: websocketCheck,
  postgres: postgresCheck,
  redis: redisCheck,
  playwright: playwrightCheck,
} satisfies Record<CheckKind, CheckFn>;

export interface SmokeEvents {
  onCheckEnd?(result: CheckResult): void;
}

export async function runSuites(
  suites: readonly LoadedSuite[],
  ctx: CheckContext,
  events: SmokeEvents = {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const suite of suites) {
    for (const check of suite.checks) {
      if (ctx.signal.aborted) return results;
      for (const result of await runCheckExpanded(check, ctx, suite)) {
        results.push(result);
        events.onCheckEnd?.(result);
      }
    }
  }
  return results;
}

/** A check's results: one, or one per test for a check that runs many (playwright). */
export async function runCheckExpanded(
  check: Check,
  ctx: CheckContext,
  suite: { name: string; file?: string },
): Promise<CheckResult[]> {
  const started = ctx.clock.now();
  const { result, attempt } = await runCheckWithAttempt(check, ctx, suite);
  if (!attempt.tests || attempt.reason) return [result];
  return attempt.tests.map((t) => ({
    suite: suite.name,
    file: t.file ?? suite.file ?? '',
    name: `${check.name} › ${t.name}`,
    kind: check.kind,
    status: t.ok ? 'passed' : 'failed',
    ...(t.reason ? { reason: truncate(ctx.redactor.redact(t.reason), 600) } : {}),
    startedAtMs: started,
    durationMs: t.durationMs,
    attempts: result.attempts,
    ...(t.detail ? { detail: t.detail } : {}),
    ...(t.attachments ? { attachments: t.attachments } : {}),
    expectations: [],
    captured: [],
  }));
}

export async function runCheck(
  check: Check,
  ctx: CheckContext,
  suite: { name: string; file?: string },
): Promise<CheckResult> {
  return (await runCheckWithAttempt(check, ctx, suite)).result;
}

async function runCheckWithAttempt(
  check: Check,
  ctx: CheckContext,
  suite: { name: string; file?: string },
): Promise<{ result: CheckResult; attempt: Attempt }> {
  const startedAtMs = ctx.clock.now();
  const deadline = startedAtMs + (check.retry?.for ?? 0);
  let backoff = check.retry?.initialBackoff ?? 0;
  let attempts = 0;
  let attempt: Attempt;
  for (;;) {
    attempts++;
    attempt = await runOnce(check, ctx, suite.file);
    if (passed(attempt) || !check.retry || ctx.signal.aborted || ctx.clock.now() + backoff > deadline) break;
    await sleep(backoff, ctx.signal);
    backoff = Math.min(backoff * 2, check.retry.maxBackoff);
  }
  let ok = passed(attempt);
  const captured: string[] = [];
  if (ok && check.capture) {
    for (const [name, capture] of Object.entries(check.capture)) {
      const value = readCapture(capture, attempt);
      if (value === undefined) {
        attempt.expectations.push({ what: `capture ${name}`, ok: false, actual: 'matched nothing' });
        ok = false;
        continue;
      }
      if (capture.secret) ctx.redactor.add(value);
      ctx.vars.set(name, value);
      captured.push(name);
    }
  }
  const failedExpectations = attempt.expectations.filter((e) => !e.ok);
  const reason =
    attempt.reason ??
    (failedExpectations.length
      ? truncate(ctx.redactor.redact(failedExpectations.map(describeExpectation).join('; ')), 400)
      : undefined);
  const result: CheckResult = {
    suite: suite.name,
    ...(suite.file ? { file: suite.file } : {}),
    name: check.name,
    kind: check.kind,
    status: ok ? 'passed' : 'failed',
    ...(reason && !ok ? { reason: attempts > 1 ? `${reason} (after ${attempts} attempts)` : reason } : {}),
    startedAtMs,
    durationMs: attempt.durationMs,
    attempts,
    ...(attempt.exchange
      ? {
          exchange: ctx.redactor.redactDeep({
            ...attempt.exchange,
            request: { ...attempt.exchange.request, headers: ctx.redactor.headers(attempt.exchange.request.headers) },
          }),
        }
      : {}),
    ...(attempt.detail ? { detail: ctx.redactor.redact(attempt.detail) } : {}),
    ...(attempt.attachments ? { attachments: attempt.attachments } : {}),
    expectations: attempt.expectations.map((e) =>
      e.actual === undefined ? e : { ...e, actual: truncate(ctx.redactor.redact(e.actual), 200) },
    ),
    captured,
  };
  return { result, attempt };
}

async function runOnce(check: Check, ctx: CheckContext, suiteFile: string | undefined): Promise<Attempt> {
  const started = performance.now();
  try {
    return await (checks[check.kind] as (c: Check, ctx: CheckContext, suiteFile?: string) => Promise<Attempt>)(
      check,
      ctx,
      suiteFile,
    );
  } catch (err) {
    const reason = err instanceof TemplateError ? err.message : `check crashed: ${describeError(err)}`;
    return { expectations: [], durationMs: performance.now() - started, reason };
  }
}

function readCapture(capture: Capture, attempt: Attempt): string | undefined {
  const res = attempt.response;
  if (!res) return undefined;
  if ('jsonPath' in capture) {
    let json = res.json;
    if (json === undefined) {
      try {
        json = JSON.parse(res.text);
      } catch {
        return undefined;
      }
    }
    const { present, value } = queryPath(json, capture.jsonPath);
    return present && value !== null && value !== undefined
      ? typeof value === 'string'
        ? value
        : JSON.stringify(value)
      : undefined;
  }
  if ('header' in capture) return res.headers[capture.header.toLowerCase()];
  const m = new RegExp(capture.regex).exec(res.text);
  return m ? (m[1] ?? m[0]) : undefined;
}

function describeExpectation(e: { what: string; expected?: string | undefined; actual?: string | undefined }): string {
  if (e.actual === undefined) return `expected ${e.what}`;
  return `expected ${e.what}, got ${e.actual}`;
}

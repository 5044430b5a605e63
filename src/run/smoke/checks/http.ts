// http and graphql checks: one request, expectations on status, headers, body and duration.
import { tlsOptionsOf } from '../../../targets/tls.ts';
import type { GraphqlCheck, HttpCheck } from '../../../config/suite.ts';
import type { Expectation } from '../../../record/schema.ts';
import { expectBody, expectDuration, expectHeaders, expectSchema, expectStatus, parseJson } from '../expect.ts';
import { headersObject, resolveUrl, send, toExchange, type HttpRequest } from '../exchange.ts';
import { fillTemplate, type Attempt, type CheckContext } from '../context.ts';

export async function httpCheck(check: HttpCheck, ctx: CheckContext): Promise<Attempt> {
  const headers = fillTemplate({ ...ctx.env.headers, ...check.headers }, ctx.vars);
  let body: string | undefined;
  if (check.json !== undefined) {
    body = JSON.stringify(fillTemplate(check.json, ctx.vars));
    headers['content-type'] ??= 'application/json';
  } else if (check.body !== undefined) {
    body = fillTemplate(check.body, ctx.vars);
  }
  return exchange(
    {
      method: check.method,
      url: resolveUrl(ctx.env.baseUrl, fillTemplate(check.path, ctx.vars), fillTemplate(check.query, ctx.vars)),
      headers,
      body,
      timeoutMs: check.timeout,
      maxBodyBytes: check.maxBodyBytes,
      followRedirects: check.followRedirects,
      signal: ctx.signal,
      tls: tlsOptionsOf(ctx.env),
    },
    check.expect,
  );
}

export async function graphqlCheck(check: GraphqlCheck, ctx: CheckContext): Promise<Attempt> {
  const headers = fillTemplate({ ...ctx.env.headers, 'content-type': 'application/json', ...check.headers }, ctx.vars);
  const payload = {
    query: check.query,
    variables: fillTemplate(check.variables ?? {}, ctx.vars),
    ...(check.operationName ? { operationName: check.operationName } : {}),
  };
  const attempt = await exchange(
    {
      method: 'POST',
      url: resolveUrl(ctx.env.baseUrl, check.path),
      headers,
      body: JSON.stringify(payload),
      timeoutMs: check.timeout,
      maxBodyBytes: check.maxBodyBytes,
      followRedirects: false,
      signal: ctx.signal,
      tls: tlsOptionsOf(ctx.env),
    },
    check.expect,
    true,
  );
  const errors = (attempt.response?.json as { errors?: { message?: string }[] } | undefined)?.errors;
  if (attempt.response?.json !== undefined && !check.expect.errors) {
    const list = Array.isArray(errors) ? errors : [];
    attempt.expectations.push({
      what: 'no GraphQL errors',
      ok: list.length === 0,
      ...(list.length ? { actual: list.map((e) => e.message ?? JSON.stringify(e)).join('; ') } : {}),
    });
  }
  return attempt;
}

interface ResponseExpect {
  status?: number | string | (number | string)[] | undefined;
  headers?: HttpCheck['expect']['headers'];
  json?: HttpCheck['expect']['json'];
  body?: HttpCheck['expect']['body'];
  bodyContains?: string | undefined;
  maxDuration?: number | undefined;
}

async function exchange(req: HttpRequest, expect: ResponseExpect, needsJson = false): Promise<Attempt> {
  const outcome = await send(req);
  if (!outcome.ok) {
    return {
      expectations: [],
      durationMs: outcome.durationMs,
      reason: outcome.reason,
      exchange: toExchange(req, undefined),
    };
  }
  const res = outcome.response;
  const expectations: Expectation[] = [
    expectStatus(res.status, expect.status),
    ...expectHeaders(res.headers, expect.headers),
  ];
  let json: unknown;
  if (expect.json || expect.body || needsJson) {
    const parsed = parseJson(res.text, res.truncated);
    if (parsed.ok) {
      json = parsed.value;
      expectations.push(...expectSchema(json, expect.json), ...expectBody(json, expect.body));
    } else {
      expectations.push(parsed.expectation);
    }
  } else if (res.truncated) {
    expectations.push({
      what: 'body fits the size limit',
      ok: false,
      expected: `<= ${req.maxBodyBytes} bytes`,
      actual: `more than ${req.maxBodyBytes} bytes`,
    });
  }
  if (expect.bodyContains !== undefined) {
    expectations.push({
      what: `body contains ${JSON.stringify(expect.bodyContains)}`,
      ok: res.text.includes(expect.bodyContains),
    });
  }
  expectations.push(...expectDuration(res.durationMs, expect.maxDuration));
  return {
    expectations,
    durationMs: res.durationMs,
    exchange: toExchange(req, res),
    response: { text: res.text, headers: headersObject(res.headers), ...(json !== undefined ? { json } : {}) },
  };
}

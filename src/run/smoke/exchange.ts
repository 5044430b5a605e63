// One HTTP request and its response for a smoke check: bounded in time and in body size,
// failures described in one line (refused, reset, timed out, DNS) rather than thrown.
import type { Exchange } from '../../record/schema.ts';
import { formatMs } from '../../core/duration.ts';
import { truncate } from '../../core/redact.ts';
import { tlsFetch, type TlsOptions } from '../../targets/tls.ts';

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  timeoutMs: number;
  maxBodyBytes: number;
  followRedirects: boolean;
  signal?: AbortSignal | undefined;
  /** https: the environment's CA, client certificate and verification setting. */
  tls?: TlsOptions | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  bytes: number;
  truncated: boolean;
  durationMs: number;
}

export type HttpOutcome = { ok: true; response: HttpResponse } | { ok: false; reason: string; durationMs: number };

const EXCERPT_CHARS = 2048;

export async function send(req: HttpRequest): Promise<HttpOutcome> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  try {
    const res = await (req.tls ? await tlsFetch(req.tls) : fetch)(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      redirect: req.followRedirects ? 'follow' : 'manual',
      signal,
    });
    const { text, bytes, truncated } = await readLimited(res, req.maxBodyBytes);
    return {
      ok: true,
      response: {
        status: res.status,
        headers: res.headers,
        text,
        bytes,
        truncated,
        durationMs: performance.now() - started,
      },
    };
  } catch (err) {
    const durationMs = performance.now() - started;
    if (timeout.aborted)
      return { ok: false, reason: `no response within ${formatMs(req.timeoutMs)} (timed out)`, durationMs };
    if (req.signal?.aborted) return { ok: false, reason: 'interrupted', durationMs };
    return { ok: false, reason: describeFetchError(err, req.url), durationMs };
  }
}

/** Reads at most maxBytes of the body, then stops reading (a 10 MB body does not fill memory). */
async function readLimited(
  res: Response,
  maxBytes: number,
): Promise<{ text: string; bytes: number; truncated: boolean }> {
  if (!res.body) return { text: '', bytes: 0, truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      truncated = true;
      chunks.push(value.subarray(0, value.byteLength - (bytes - maxBytes)));
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes, truncated };
}

export function describeFetchError(err: unknown, url: string): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  const where = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where} (ECONNREFUSED)`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection reset by ${where} before a full response (${code})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve host ${where} (${code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host ${where} unreachable (${code})`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `no response from ${where} in time (${code})`;
    default:
      return `request to ${where} failed: ${cause?.message ?? (err as Error).message}${code ? ` (${code})` : ''}`;
  }
}

export function headersObject(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of h) out[k] = v;
  return out;
}

export function toExchange(req: HttpRequest, res: HttpResponse | undefined): Exchange {
  return {
    request: {
      method: req.method,
      url: req.url,
      headers: req.headers,
      ...(req.body !== undefined ? { body: excerpt(req.body) } : {}),
    },
    ...(res
      ? {
          response: {
            status: res.status,
            headers: headersObject(res.headers),
            bodyExcerpt: excerpt(res.text),
            bodyBytes: res.bytes,
            truncated: res.truncated,
          },
        }
      : {}),
  };
}

const excerpt = (s: string) => truncate(s, EXCERPT_CHARS);

export { resolveUrl } from '../../core/url.ts';

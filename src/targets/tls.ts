// TLS settings of an environment as Node and k6 take them: CA bundle, client certificate (mTLS),
// and whether to verify at all. Files are read once, here; a file that cannot be read is a
// config error naming the key. A certificate failure is said with its reason and the fix.
import { readFileSync } from 'node:fs';
import type { Environment } from '../config/schema.ts';
import { configError } from '../core/errors.ts';

export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

const cache = new Map<string, string>();
const optionsCache = new WeakMap<object, TlsOptions>();

function readPem(path: string, key: string): string {
  let pem = cache.get(path);
  if (pem === undefined) {
    try {
      pem = readFileSync(path, 'utf8');
    } catch (err) {
      throw configError(`tls.${key}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    if (!pem.includes('-----BEGIN ')) throw configError(`tls.${key}: ${path} is not a PEM file (no "-----BEGIN" line)`);
    cache.set(path, pem);
  }
  return pem;
}

/** The environment's TLS settings with their files read, or undefined when it has none. */
export function tlsOptionsOf(env: Pick<Environment, 'tls'>): TlsOptions | undefined {
  const t = env.tls;
  if (!t) return undefined;
  let o = optionsCache.get(t);
  if (!o) {
    o = {
      ...(t.ca ? { ca: readPem(t.ca, 'ca') } : {}),
      ...(t.cert ? { cert: readPem(t.cert, 'cert') } : {}),
      ...(t.key ? { key: readPem(t.key, 'key') } : {}),
      rejectUnauthorized: !t.insecureSkipVerify,
    };
    optionsCache.set(t, o);
  }
  return o;
}

const fetchers = new WeakMap<TlsOptions, typeof fetch>();

/**
 * fetch with the environment's TLS settings (undici's Agent: Node's built-in fetch takes no CA or
 * client certificate). Loaded only when an environment has a tls block.
 */
export async function tlsFetch(tls: TlsOptions): Promise<typeof fetch> {
  let f = fetchers.get(tls);
  if (!f) {
    const undici = await import('undici');
    const agent = new undici.Agent({ connect: { ...tls } });
    f = ((url: string, init?: RequestInit) =>
      undici.fetch(url, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
    fetchers.set(tls, f);
  }
  return f;
}

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|TLS|SSL|EPROTO/;

/** Is this socket error a TLS failure (certificate, handshake, protocol)? */
export function isTlsError(code: string | undefined): boolean {
  return code !== undefined && CERT_CODES.test(code);
}

/** One line for a TLS failure: the reason and what to set. */
export function describeTlsError(err: NodeJS.ErrnoException): string {
  const certificate = /CERT|SELF_SIGNED|UNABLE_TO/.test(err.code ?? '');
  const fix = certificate
    ? ' — give the CA that signed it as tls.ca, or set tls.insecureSkipVerify for a staging certificate'
    : '';
  return `TLS: ${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}${fix}`;
}

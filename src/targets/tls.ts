// TLS settings of an environment as Node, the native core and k6 take them: the trust (one PEM
// bundle: the system's roots, NODE_EXTRA_CA_CERTS and the environment's tls.ca), the client
// certificate (mTLS), and whether to verify at all. Every path that speaks to the target — smoke
// checks, probes, the JavaScript worker, the native core, k6, shards — is handed the same bundle,
// so one certificate gets one answer. Files are read once, here; a file that cannot be read is a
// config error naming it. A certificate failure is said with its reason.
import { existsSync, readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import type { Environment } from '../config/schema.ts';
import { configError } from '../core/errors.ts';

export interface TlsOptions {
  /** Every CA the run trusts, as PEM: the system's roots, NODE_EXTRA_CA_CERTS and tls.ca. */
  ca: string;
  /** The part of `ca` beyond the system's roots (NODE_EXTRA_CA_CERTS, tls.ca): what a shard's pod adds to its own. */
  extraCa?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

/** The system's bundle where Debian, Ubuntu and Alpine keep it (Go, so k6, reads it there too). */
export const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

const cache = new Map<string, string>();
const optionsCache = new WeakMap<object, TlsOptions>();

function readPem(path: string, what: string): string {
  let pem = cache.get(path);
  if (pem === undefined) {
    try {
      pem = readFileSync(path, 'utf8');
    } catch (err) {
      throw configError(`${what}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    if (!pem.includes('-----BEGIN ')) throw configError(`${what}: ${path} is not a PEM file (no "-----BEGIN" line)`);
    cache.set(path, pem);
  }
  return pem;
}

const CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The CAs a run trusts, as one PEM bundle, each certificate once: Node's roots
 * (`tls.rootCertificates`), the system bundle when there is one, the file NODE_EXTRA_CA_CERTS
 * names, and the environment's tls.ca. Go (k6) reads it through SSL_CERT_FILE, which replaces its
 * system roots: that is why the system's roots are in it.
 */
export function trustBundle(ca?: string, env: NodeJS.ProcessEnv = process.env, system = SYSTEM_BUNDLE): string {
  return joined([
    ...rootCertificates,
    ...(existsSync(system) ? (readFileSync(system, 'utf8').match(CERT) ?? []) : []),
    ...extraCerts(ca, env),
  ]);
}

/** NODE_EXTRA_CA_CERTS's certificates and tls.ca's: the trust beyond the system's roots. */
function extraCerts(ca: string | undefined, env: NodeJS.ProcessEnv): string[] {
  const extra = env.NODE_EXTRA_CA_CERTS;
  return [...(extra ? (readPem(extra, 'NODE_EXTRA_CA_CERTS').match(CERT) ?? []) : []), ...(ca?.match(CERT) ?? [])];
}

/** PEM certificates as one bundle, each once. */
function joined(pems: readonly string[]): string {
  const seen = new Map<string, string>();
  for (const pem of pems) seen.set(pem.replace(/-----[A-Z ]+-----|\s/g, ''), pem.trim());
  return seen.size ? `${[...seen.values()].join('\n')}\n` : '';
}

/**
 * Settings for a process on another machine (a shard's pod): without the system's roots, which
 * that side takes from its own store (localTrust) — and which would not fit in a pod's environment.
 */
export function portableTls<T extends { ca?: unknown }>(tls: T): T {
  const { ca: _roots, ...rest } = tls;
  return rest as T;
}

/** The other side of portableTls: this machine's roots plus the extra CAs the settings carry. */
export function localTrust<T extends { ca?: unknown; extraCa?: unknown }>(tls: T): T {
  return { ...tls, ca: trustBundle(typeof tls.extraCa === 'string' ? tls.extraCa : undefined) };
}

let defaultOptions: TlsOptions | undefined;

/**
 * The environment's TLS settings with their files read. Always defined: an environment without a
 * tls block still verifies against the run's one trust bundle.
 */
export function tlsOptionsOf(env: Pick<Environment, 'tls'>): TlsOptions {
  const t = env.tls;
  if (!t) return (defaultOptions ??= optionsWith(undefined, { rejectUnauthorized: true }));
  let o = optionsCache.get(t);
  if (!o) {
    const ca = t.ca ? readPem(t.ca, 'tls.ca') : undefined;
    if (t.ca && !ca?.match(CERT))
      throw configError(`tls.ca: ${t.ca} holds no certificate ("-----BEGIN CERTIFICATE-----")`);
    o = optionsWith(ca, {
      ...(t.cert ? { cert: readPem(t.cert, 'tls.cert') } : {}),
      ...(t.key ? { key: readPem(t.key, 'tls.key') } : {}),
      rejectUnauthorized: !t.insecureSkipVerify,
    });
    optionsCache.set(t, o);
  }
  return o;
}

function optionsWith(ca: string | undefined, rest: Omit<TlsOptions, 'ca' | 'extraCa'>): TlsOptions {
  const extraCa = joined(extraCerts(ca, process.env));
  return { ca: trustBundle(ca), ...(extraCa ? { extraCa } : {}), ...rest };
}

const contexts = new WeakMap<TlsOptions, SecureContext>();

/**
 * One secure context per settings: parsing a bundle of ~170 roots costs tens of milliseconds,
 * too much to pay per connection.
 */
export function secureContextOf(tls: TlsOptions): SecureContext {
  let c = contexts.get(tls);
  if (!c) {
    c = createSecureContext({
      ca: tls.ca,
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
    });
    contexts.set(tls, c);
  }
  return c;
}

/** Options for node:tls connect (and libraries that pass them through: undici, ws). */
export function connectOptionsOf(tls: TlsOptions): { secureContext: SecureContext; rejectUnauthorized: boolean } {
  return { secureContext: secureContextOf(tls), rejectUnauthorized: tls.rejectUnauthorized };
}

const fetchers = new WeakMap<TlsOptions, typeof fetch>();

/**
 * fetch with the environment's TLS settings (undici's Agent: Node's built-in fetch takes no CA or
 * client certificate). The agent is made at the first https request.
 */
export async function tlsFetch(tls: TlsOptions): Promise<typeof fetch> {
  let f = fetchers.get(tls);
  if (!f) {
    const undici = await import('undici');
    let agent: InstanceType<typeof undici.Agent> | undefined;
    f = ((url: string | URL, init?: RequestInit) => {
      agent ??= new undici.Agent({ connect: connectOptionsOf(tls) });
      return undici.fetch(url, { ...(init as object), dispatcher: agent });
    }) as unknown as typeof fetch;
    fetchers.set(tls, f);
  }
  return f;
}

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|TLS|SSL|EPROTO/;

/** Is this socket error a TLS failure (certificate, handshake, protocol)? */
export function isTlsError(code: string | undefined): boolean {
  return code !== undefined && CERT_CODES.test(code);
}

/** What a certificate check refused, from node:tls's code and the certificate the target showed. */
export interface PeerCertificate {
  subject?: Record<string, unknown> | undefined;
  issuer?: Record<string, unknown> | undefined;
  subjectaltname?: string | undefined;
  valid_from?: string | undefined;
  valid_to?: string | undefined;
}

const iso = (openssl: string | undefined) => {
  const t = openssl ? Date.parse(openssl) : Number.NaN;
  return Number.isNaN(t) ? (openssl ?? '?') : new Date(t).toISOString().replace('.000Z', 'Z');
};
const cn = (name: Record<string, unknown> | undefined) => (name?.CN !== undefined ? `CN=${String(name.CN)}` : '?');

/**
 * One line for a certificate the target showed and the run refuses: what was wrong with it. The
 * fix for an expired certificate or a wrong name is on the target; only a certificate signed by a
 * CA the run does not know may be the run's to fix, by trusting that CA.
 */
export function describeCertificateProblem(code: string, host: string, cert: PeerCertificate): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return `certificate has expired (notAfter ${iso(cert.valid_to)}, ${cn(cert.subject)})`;
    case 'CERT_NOT_YET_VALID':
      return `certificate is not yet valid (notBefore ${iso(cert.valid_from)}, ${cn(cert.subject)})`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `certificate is not valid for ${host} (it names ${cert.subjectaltname ?? `only ${cn(cert.subject)}`})`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return (
        `certificate is not signed by a trusted CA (${cn(cert.subject)}, issuer ${cn(cert.issuer)}; ${code}) — ` +
        'if the target uses a private CA, give its certificate as tls.ca or in NODE_EXTRA_CA_CERTS'
      );
    default:
      return `certificate refused (${code}, ${cn(cert.subject)}, issuer ${cn(cert.issuer)})`;
  }
}

/** One line for a TLS failure during the handshake: the reason, in node:tls's words. */
export function describeTlsError(err: NodeJS.ErrnoException): string {
  return `TLS: ${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
}

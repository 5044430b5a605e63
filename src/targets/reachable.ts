// Before a run starts: can the target be reached at all? A target that refuses the connection,
// resets it, has no DNS name, or shows a certificate the run refuses (expired, not yet valid,
// for another host, signed by an unknown CA) has failed: that is a failing verdict with its
// reason (exit 1), said once rather than by every check. Only a failure on this side — the
// harness out of file descriptors, a local address it may not use — means Gauntlet could not
// run (exit 3). For an https target the handshake uses the run's own trust and client
// certificate (tls.ts), so the answer is the one every later request would get.
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ExitCode, GauntletError, cannotRun } from '../core/errors.ts';
import { connectOptionsOf, describeCertificateProblem, describeTlsError, isTlsError, type TlsOptions } from './tls.ts';

export type Reachability = { ok: true } | { ok: false; by: 'target' | 'harness'; reason: string };

/** Errors that say this machine could not try, not that the target failed. */
const HARNESS_CODES = new Set(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EADDRNOTAVAIL', 'EACCES', 'EPERM']);

const TARGET_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (ECONNREFUSED)',
  ECONNRESET: 'connection reset by the target (ECONNRESET)',
  EPIPE: 'connection closed by the target (EPIPE)',
  ENOTFOUND: 'DNS: no such host (ENOTFOUND)',
  EAI_AGAIN: 'DNS: the name did not resolve (EAI_AGAIN)',
  EHOSTUNREACH: 'host unreachable (EHOSTUNREACH)',
  ENETUNREACH: 'network unreachable (ENETUNREACH)',
  ETIMEDOUT: 'connection timed out (ETIMEDOUT)',
};

/** One connection to the target, as the run would make it: reached, or why not and whose failure. */
export async function reachability(url: string, tls?: TlsOptions, timeoutMs = 5000): Promise<Reachability> {
  const u = new URL(url);
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  const port = Number(u.port || (secure ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const verify = tls?.rejectUnauthorized ?? true;
  return new Promise<Reachability>((resolve) => {
    const target = (reason: string) => resolve({ ok: false, by: 'target', reason });
    // The certificate is judged here, after the handshake, so the refusal can name what it saw.
    const socket: Socket = secure
      ? tlsConnect({
          host,
          port,
          ...(isIP(host) ? {} : { servername: host }),
          ...(tls ? connectOptionsOf(tls) : {}),
          rejectUnauthorized: false,
          ALPNProtocols: ['http/1.1'],
        })
      : connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      target(`no ${secure ? 'TLS' : 'TCP'} connection within ${timeoutMs} ms`);
    }, timeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      const s = socket as TLSSocket;
      const refused = secure && verify && !s.authorized ? s.authorizationError : undefined;
      const problem = refused
        ? `TLS: ${describeCertificateProblem(
            typeof refused === 'string' ? refused : ((refused as NodeJS.ErrnoException).code ?? String(refused)),
            host,
            s.getPeerCertificate() as never,
          )}`
        : undefined;
      socket.destroy();
      resolve(problem ? { ok: false, by: 'target', reason: problem } : { ok: true });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const code = err.code ?? '';
      if (HARNESS_CODES.has(code)) resolve({ ok: false, by: 'harness', reason: `${err.message}` });
      else if (isTlsError(code)) target(describeTlsError(err));
      else
        target(TARGET_CODES[code] ?? (code && !err.message.includes(code) ? `${err.message} (${code})` : err.message));
    });
  });
}

/** The target failed before the run: the run is judged (a failing verdict, exit 1), not in error. */
export class TargetUnreachable extends GauntletError {
  readonly origin: string;
  constructor(
    url: string,
    readonly reason: string,
  ) {
    const { origin } = new URL(url);
    super(ExitCode.verdictFailed, `target unreachable: ${origin} — ${reason}`);
    this.name = 'TargetUnreachable';
    this.origin = origin;
  }
}

/**
 * Throws TargetUnreachable (a failing verdict: the session records it and exits 1) when the target
 * failed, and a could-not-run error (exit 3) when this side could not try.
 */
export async function assertReachable(url: string, tls?: TlsOptions, timeoutMs = 5000): Promise<void> {
  const r = await reachability(url, tls, timeoutMs);
  if (r.ok) return;
  if (r.by === 'harness') throw cannotRun(`could not connect to ${new URL(url).origin}: ${r.reason}`);
  throw new TargetUnreachable(url, r.reason);
}

// Before a run starts: can the target be reached at all? If not, the harness could not run
// (exit 3, one line), rather than every check failing with the same connection error. For an
// https target the TLS handshake is made with the environment's settings, so a certificate
// the run would refuse is said once, with its reason, before any request.
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { cannotRun } from '../core/errors.ts';
import { describeTlsError, isTlsError, type TlsOptions } from './tls.ts';

export async function assertReachable(url: string, tls?: TlsOptions, timeoutMs = 5000): Promise<void> {
  const u = new URL(url);
  const secure = u.protocol === 'https:' || u.protocol === 'wss:';
  const port = Number(u.port || (secure ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const problem = await new Promise<string | undefined>((resolve) => {
    const socket: Socket = secure
      ? tlsConnect({
          host,
          port,
          ...(isIP(host) ? {} : { servername: host }),
          ...(tls ?? {}),
          ALPNProtocols: ['http/1.1'],
        })
      : connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`no ${secure ? 'TLS' : 'TCP'} connection within ${timeoutMs} ms`);
    }, timeoutMs);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (isTlsError(err.code)) resolve(describeTlsError(err));
      else resolve(err.code === 'ECONNREFUSED' ? 'connection refused (ECONNREFUSED)' : `${err.code ?? err.message}`);
    });
  });
  if (problem) throw cannotRun(`target unreachable before start: ${u.origin} — ${problem}`);
}

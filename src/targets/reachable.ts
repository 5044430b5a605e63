// Before a run starts: can the target be reached at all? If not, the harness could not run
// (exit 3, one line), rather than every check failing with the same connection error.
import { connect } from 'node:net';
import { cannotRun } from '../core/errors.ts';

export async function assertReachable(url: string, timeoutMs = 5000): Promise<void> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const problem = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`no TCP connection within ${timeoutMs} ms`);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code === 'ECONNREFUSED' ? 'connection refused (ECONNREFUSED)' : `${err.code ?? err.message}`);
    });
  });
  if (problem) throw cannotRun(`target unreachable before start: ${u.origin} — ${problem}`);
}

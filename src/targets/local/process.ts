// Starting and stopping the local servers Gauntlet's demo and tests run (PostgreSQL, Redis,
// Patroni, etcd, HAProxy…): each in its own session, as a non-root user where the server
// insists, ended by its own PID — never by name; and ended too if Gauntlet itself is killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onOwnerDeath, stopPidsScript, type DeadManSwitch } from './deadman.ts';
import { sleep } from '../../core/sleep.ts';

export interface Daemon {
  pid: number;
  child: ChildProcess;
  log: string;
}

/** A fresh temp folder, owned by `user` when given (PostgreSQL wants its dirs its own, mode 700). */
export function tempDir(prefix: string, user?: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (user) {
    const { uid, gid } = userIds(user);
    chownSync(dir, uid, gid);
  }
  return dir;
}

export function userIds(user: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no user "${user}" on this machine`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts a daemon in its own session (so a dying parent or `timeout` doesn't signal it), as
 * `user` when we are root (setpriv execs in place: the PID is the daemon's own).
 */
export function startDaemon(
  cmd: string,
  args: string[],
  opts: { user?: string; log: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Daemon {
  const asUser = opts.user && process.getuid?.() === 0;
  const [file, argv] = asUser
    ? ['setpriv', ['--reuid', opts.user!, '--regid', opts.user!, '--init-groups', cmd, ...args]]
    : [cmd, args];
  const out = openSync(opts.log, 'a');
  const child = spawn(file, argv, {
    detached: true,
    stdio: ['ignore', out, out],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  child.unref();
  if (!child.pid) throw new Error(`could not start ${cmd}`);
  const pid = child.pid;
  daemons.add(pid);
  armReaper();
  child.once('exit', () => {
    daemons.delete(pid);
    armReaper();
  });
  return { pid, child, log: opts.log };
}

// Every daemon still running when this process ends — however it ends, SIGKILL included — is
// sent SIGTERM, then SIGKILL 10 s later, by one dead man's switch re-armed as daemons come and go.
const daemons = new Set<number>();
let reaper: DeadManSwitch | undefined;
function armReaper(): void {
  reaper?.disarm();
  reaper = undefined;
  if (!daemons.size) return;
  reaper = onOwnerDeath(stopPidsScript([...daemons], 'TERM', 10, true));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie is dead for our purposes.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Signals a PID, waits for it to go, escalates to SIGKILL after graceMs. */
export async function stopPid(pid: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(25);
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    while (alive(pid)) await sleep(10);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(
  port: number,
  timeoutMs: number,
  what = `127.0.0.1:${port}`,
  log?: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await sleep(50);
  }
  const tail = log ? `: ${readTail(log)}` : '';
  throw new Error(`${what} did not listen within ${timeoutMs} ms${tail}`);
}

export function readTail(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '(no log)';
  }
}

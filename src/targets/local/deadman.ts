// A fault's rollback runs on success, failure and interrupt — but not when Gauntlet itself is
// killed outright (SIGKILL, the OOM killer, a CI runner torn down). Some faults leave state that
// would then stay broken: walsenders held with SIGSTOP keep the old leader's shared memory, so it
// can never start again; a killed Patroni stays down where no init system restarts it; a scratch
// PostgreSQL runs on. A dead man's switch covers that: a detached shell holds the read end of a
// pipe whose only writer is this process; when the process ends, however it ends, the kernel
// closes the pipe, `read` returns, and the shell runs the undo. A rollback that ran disarms it.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Socket } from 'node:net';

export interface DeadManSwitch {
  readonly pid: number;
  disarm(): void;
}

/** Quotes one word for /bin/sh. */
export const shellWord = (word: string | number): string => `'${String(word).replace(/'/g, `'\\''`)}'`;

/** Shell that sends `signal` to `pids`, waits up to `graceS` seconds for all to go, then (optionally) SIGKILLs what is left. */
export function stopPidsScript(pids: number[], signal: string, graceS: number, thenKill: boolean): string {
  const list = pids.join(' ');
  return [
    `kill -${signal} ${list} 2>/dev/null`,
    'i=0',
    `while [ $i -lt ${graceS * 10} ]; do left=; for p in ${list}; do kill -0 $p 2>/dev/null && left=1; done; [ -z "$left" ] && break; sleep 0.1; i=$((i+1)); done`,
    ...(thenKill ? [`kill -KILL ${list} 2>/dev/null`] : []),
  ].join('\n');
}

/** Arms `script` (a /bin/sh script) to run once this process has ended without disarming it. */
export function onOwnerDeath(script: string, opts: { log?: string } = {}): DeadManSwitch {
  const out = opts.log ? openSync(opts.log, 'a') : 'ignore';
  // `read` also returns on a line; nothing is ever written, so only EOF — the owner gone — ends it.
  const child = spawn('/bin/sh', ['-c', `read _ignored\n${script}`], {
    detached: true,
    cwd: '/',
    stdio: ['pipe', out, out],
  });
  if (typeof out === 'number') closeSync(out);
  child.on('error', () => {});
  (child.stdin as Socket).on('error', () => {});
  // The pipe stays open for as long as this process lives, without keeping it alive.
  (child.stdin as Socket).unref();
  child.unref();
  let armed = true;
  return {
    pid: child.pid!,
    disarm() {
      if (!armed) return;
      armed = false;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      child.stdin?.destroy();
    },
  };
}

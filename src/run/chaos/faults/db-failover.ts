// db-failover on a local Patroni cluster: kill -9 the leader's postmaster; kill -9 its Patroni
// and postmaster; a planned switchover through the REST API; or hold replication back
// (SIGSTOP the walsenders) and then kill the leader — the fault that loses async writes.
// Rollback: SIGCONT what was stopped, start again any Patroni it killed, wait for it to rejoin.
// Both are armed on a dead man's switch too, so a Gauntlet killed mid-fault still undoes them.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultSpec } from '../../../config/experiment.ts';
import { cannotRun } from '../../../core/errors.ts';
import { formatMs } from '../../../core/duration.ts';
import { onOwnerDeath, shellWord, type DeadManSwitch } from '../../../targets/local/deadman.ts';
import { alive } from '../../../targets/local/process.ts';
import { childrenOf, cmdline, pidListeningOn } from '../../../targets/local/procs.ts';
import {
  assertHaCluster,
  clusterView,
  memberRunning,
  restPort,
  switchover,
  type PatroniMemberInfo,
} from '../patroni.ts';
import type { Fault, FaultEvent } from '../fault.ts';
import { sleep } from '../../../core/sleep.ts';

type Spec = Extract<FaultSpec, { kind: 'db-failover' }>;

export function dbFailoverFault(spec: Spec): Fault {
  const stopped: number[] = [];
  const killedMembers: PatroniMemberInfo[] = [];
  const switches: DeadManSwitch[] = [];
  const logFor = (m: PatroniMemberInfo) => join(tmpdir(), `gauntlet-restart-${m.name}-${process.pid}.log`);
  const localPids = (m: PatroniMemberInfo) => {
    const postmaster = pidListeningOn(m.port);
    const patroni = pidListeningOn(restPort(m));
    return { postmaster, patroni };
  };
  const needsLocal = spec.mode !== 'switchover';
  return {
    label: `db-failover (${spec.mode})`,
    async preflight(ctx) {
      const { leader, replicas } = await assertHaCluster(ctx.env);
      if (spec.mode === 'switchover')
        return `switch over from leader ${leader.name} to ${replicas[0]!.name} through ${new URL(leader.api_url).origin}/switchover`;
      const { postmaster, patroni } = localPids(leader);
      if (!postmaster)
        throw cannotRun(
          `${spec.mode}: no local process listens on the leader's PostgreSQL port ${leader.port} (this fault kills local processes)`,
        );
      if (spec.mode !== 'kill-postmaster' && !patroni)
        throw cannotRun(`${spec.mode}: no local process listens on the leader's Patroni port ${restPort(leader)}`);
      const walsenders = childrenOf(postmaster).filter((p) => /walsender/.test(cmdline(p)));
      return {
        'kill-postmaster': `kill -9 postmaster ${postmaster} of leader ${leader.name} (port ${leader.port})`,
        'kill-patroni': `kill -9 Patroni ${patroni} and postmaster ${postmaster} of leader ${leader.name}`,
        'lag-then-kill': `SIGSTOP ${walsenders.length} walsender(s) ${walsenders.join(', ')} of leader ${leader.name} for ${formatMs(spec.lagFor)}, then kill -9 Patroni ${patroni} and postmaster ${postmaster}`,
      }[spec.mode];
    },
    async inject(ctx) {
      const { leader, replicas } = await assertHaCluster(ctx.env);
      const events: FaultEvent[] = [];
      const at = (what: string) => events.push({ atMs: ctx.clock.now(), what });
      if (spec.mode === 'switchover') {
        at(`switchover requested: ${leader.name} → ${replicas[0]!.name}`);
        await switchover(leader, replicas[0]!);
        at('switchover answered');
        return events;
      }
      if (!needsLocal) return events;
      const { postmaster, patroni } = localPids(leader);
      if (!postmaster) throw cannotRun(`no local postmaster listens on port ${leader.port}`);
      if (spec.mode === 'lag-then-kill') {
        const walsenders = childrenOf(postmaster).filter((p) => /walsender/.test(cmdline(p)));
        // A walsender left stopped keeps the leader's shared memory: it could never start again.
        switches.push(onOwnerDeath(walsenders.map((p) => `kill -CONT ${p} 2>/dev/null`).join('\n')));
        for (const p of walsenders) {
          process.kill(p, 'SIGSTOP');
          stopped.push(p);
        }
        at(`SIGSTOP walsenders ${walsenders.join(', ')} of leader ${leader.name}`);
        ctx.say(
          `    SIGSTOP walsenders ${walsenders.join(', ')} of leader ${leader.name} for ${formatMs(spec.lagFor)}`,
        );
        await sleep(spec.lagFor);
      }
      if (spec.mode !== 'kill-postmaster' && patroni) {
        const cmd = ctx.env.patroni?.restart?.[leader.name];
        if (cmd) switches.push(onOwnerDeath(`${cmd.map(shellWord).join(' ')} >>${shellWord(logFor(leader))} 2>&1 &`));
        process.kill(patroni, 'SIGKILL');
        killedMembers.push(leader);
        at(`kill -9 Patroni ${patroni} of leader ${leader.name}`);
      }
      process.kill(postmaster, 'SIGKILL');
      at(`kill -9 postmaster ${postmaster} of leader ${leader.name}`);
      return events;
    },
    async rollback(ctx) {
      // The cluster as the experiment left it, before anything is undone: when the outage did not
      // end, this line is what says why (no leader, a leader nothing routes to, a member stuck).
      const done = [`before the rollback: ${await clusterView(ctx.env)}`];
      for (const p of stopped.splice(0)) {
        if (alive(p)) {
          process.kill(p, 'SIGCONT');
          done.push(`SIGCONT walsender ${p}`);
        }
      }
      for (const s of switches.splice(0)) s.disarm();
      for (const m of killedMembers.splice(0)) {
        const cmd = ctx.env.patroni?.restart?.[m.name];
        if (await memberRunning(m.api_url)) {
          done.push(`${m.name} is running again`);
          continue;
        }
        if (!cmd) {
          done.push(`${m.name} left down: no patroni.restart command configured for it`);
          continue;
        }
        const logPath = logFor(m);
        const out = openSync(logPath, 'a');
        // From /, as an init system would: the project directory may be closed to the member's user.
        const child = spawn(cmd[0]!, cmd.slice(1), { cwd: '/', detached: true, stdio: ['ignore', out, out] });
        closeSync(out);
        child.unref();
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline && !(await memberRunning(m.api_url))) await sleep(250);
        done.push(
          (await memberRunning(m.api_url))
            ? `restarted Patroni of ${m.name} (pid ${child.pid}); it rejoined (log: ${logPath})`
            : `restarted Patroni of ${m.name} (pid ${child.pid}) but it did not report running within 60 s (log: ${logPath})`,
        );
      }
      return done;
    },
  };
}

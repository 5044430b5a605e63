// process-kill for local services: kill some children of a supervisor (e.g. Node cluster
// workers) or the process itself, found through its pid file. The supervisor heals; nothing to undo.
import { readFileSync } from 'node:fs';
import type { FaultSpec } from '../../../config/experiment.ts';
import { cannotRun } from '../../../core/errors.ts';
import { alive } from '../../../targets/local/process.ts';
import { childrenOf } from '../../../targets/local/procs.ts';
import type { Fault } from '../fault.ts';
import { sleep } from '../../../core/sleep.ts';

type Spec = Extract<FaultSpec, { kind: 'process-kill' }>;

export function processKillFault(spec: Spec): Fault {
  let before: { pid: number; count: number } | undefined;
  const targets = () => {
    let pid: number;
    try {
      pid = Number(readFileSync(spec.pidFile, 'utf8').trim());
    } catch (err) {
      throw cannotRun(`process-kill: cannot read pid file ${spec.pidFile}: ${(err as Error).message}`);
    }
    if (!pid || !alive(pid)) throw cannotRun(`process-kill: pid ${pid} from ${spec.pidFile} is not running`);
    const candidates = spec.children ? childrenOf(pid) : [pid];
    if (candidates.length === 0)
      throw cannotRun(`process-kill: process ${pid} has no children to kill (selector matched nothing)`);
    return { pid, candidates };
  };
  return {
    label: `process-kill (${spec.count} ${spec.children ? 'child' : 'process'}${spec.count > 1 ? 'es' : ''}, ${spec.signal})`,
    async preflight() {
      const { pid, candidates } = targets();
      return `${spec.signal} ${Math.min(spec.count, candidates.length)} of ${candidates.length} ${spec.children ? `children of ${pid}` : 'process'} (${candidates.join(', ')})`;
    },
    async inject(ctx) {
      const { pid, candidates } = targets();
      before = { pid, count: candidates.length };
      const picked = [...candidates].sort(() => Math.random() - 0.5).slice(0, spec.count);
      for (const p of picked) process.kill(p, spec.signal);
      return [
        {
          atMs: ctx.clock.now(),
          what: `${spec.signal} ${picked.join(', ')} (${spec.children ? `children of ${pid}` : 'the process'})`,
        },
      ];
    },
    async rollback() {
      // Nothing to put back by hand; check the supervisor did it, so a target left short is said.
      if (!before) return ['nothing was killed'];
      if (!spec.children)
        return [
          alive(before.pid)
            ? `process ${before.pid} is still running`
            : `process ${before.pid} is gone; its supervisor must start it again`,
        ];
      const deadline = Date.now() + 30_000;
      let now = alive(before.pid) ? childrenOf(before.pid).length : 0;
      while (now < before.count && alive(before.pid) && Date.now() < deadline) {
        await sleep(250);
        now = childrenOf(before.pid).length;
      }
      return [
        now >= before.count
          ? `process ${before.pid} has ${now} children again (had ${before.count})`
          : `process ${before.pid} has ${now} children, had ${before.count}: the supervisor did not replace them within 30 s`,
      ];
    },
  };
}

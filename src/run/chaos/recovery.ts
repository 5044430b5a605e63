// After the faults: which probe times a fault's recovery, and waiting until every probe has
// n healthy samples in a row (or the timeout says it did not recover).
import type { FaultSpec } from '../../config/experiment.ts';
import { formatMs } from '../../core/duration.ts';
import { sleep } from '../../core/sleep.ts';
import type { RunningProbe } from '../../measure/probes.ts';
import type { Clock } from '../../core/clock.ts';

export function recoveryProbe(spec: FaultSpec, probes: RunningProbe[]): RunningProbe | undefined {
  const order =
    spec.kind === 'db-failover' || spec.kind === 'kube-db-failover'
      ? ['db-write', 'db-read', 'http']
      : ['http', 'db-write', 'db-read'];
  for (const kind of order) {
    const p = probes.find((x) => x.spec.kind === kind);
    if (p) return p;
  }
  return undefined;
}

export async function waitHealthy(
  probes: RunningProbe[],
  n: number,
  timeoutMs: number,
  ctx: { clock: Clock },
): Promise<{ ok: boolean; detail: string }> {
  const from = ctx.clock.now();
  const deadline = from + timeoutMs;
  for (;;) {
    const status = probes.map((p) => {
      const recent = p.samples.filter((s) => s.t >= from).slice(-n);
      return { p, ok: recent.length === n && recent.every((s) => s.ok) };
    });
    if (status.every((s) => s.ok)) return { ok: true, detail: '' };
    if (ctx.clock.now() > deadline) {
      return {
        ok: false,
        detail: `not ${n} healthy samples in a row within ${formatMs(timeoutMs)}: ${status
          .filter((s) => !s.ok)
          .map((s) => s.p.spec.name)
          .join(', ')}`,
      };
    }
    await sleep(50);
  }
}

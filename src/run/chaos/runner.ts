// The experiment runner: steady state → probes and load → faults on a schedule (rollback
// registered before each inject) → recovery → rollbacks (always: success, failure, interrupt)
// → steady state again → the ledger read back. Returns values; only bugs throw.
import type { Experiment, FaultSpec } from '../../config/experiment.ts';
import type { Environment } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import { describeError, GauntletError } from '../../core/errors.ts';
import { formatMs } from '../../core/duration.ts';
import { formatPercent } from '../../core/comparison.ts';
import {
  bothRecovered,
  ledgerSeries,
  measureRpo,
  measureRto,
  restoreRpoFromLedger,
  uptime,
  type Sample,
} from '../../measure/recovery.ts';
import { watchAlerts } from './alerts.ts';
import { recoveryProbe, waitHealthy } from './recovery.ts';
import { startProbe, type RunningProbe } from '../../measure/probes.ts';
import type { ChaosResult } from '../../record/schema.ts';
import type { Fault, FaultContext } from './fault.ts';
import { dbFailoverFault } from './faults/db-failover.ts';
import { processKillFault } from './faults/process-kill.ts';
import { backupRestoreFault } from './faults/backup-restore.ts';
import { kubeDbFailoverFault } from './faults/kube-db-failover.ts';
import { podKillFault } from './faults/pod-kill.ts';
import { rollingRestartFault } from './faults/rolling-restart.ts';
import { sleep } from '../../core/sleep.ts';

const faults = {
  'db-failover': (s: FaultSpec) => dbFailoverFault(s as Extract<FaultSpec, { kind: 'db-failover' }>),
  'process-kill': (s: FaultSpec) => processKillFault(s as Extract<FaultSpec, { kind: 'process-kill' }>),
  'backup-restore': (s: FaultSpec) => backupRestoreFault(s as Extract<FaultSpec, { kind: 'backup-restore' }>),
  'pod-kill': (s: FaultSpec) => podKillFault(s as Extract<FaultSpec, { kind: 'pod-kill' }>),
  'rolling-restart': (s: FaultSpec) => rollingRestartFault(s as Extract<FaultSpec, { kind: 'rolling-restart' }>),
  'kube-db-failover': (s: FaultSpec) => kubeDbFailoverFault(s as Extract<FaultSpec, { kind: 'kube-db-failover' }>),
} satisfies Record<FaultSpec['kind'], (s: FaultSpec) => Fault>;

export interface ChaosContext {
  env: Environment;
  clock: Clock;
  signal: AbortSignal;
  runId: string;
  dryRun: boolean;
  say(line: string): void;
  kube?: FaultContext['kube'];
  /** Leave the write probe's ledger rows in the target (default: removed after the read-back). */
  keep?: boolean;
  /** Starts the experiment's load, if any; resolves when it ends. */
  startLoad?(signal: AbortSignal): Promise<void>;
}

interface Planned {
  id: string;
  spec: FaultSpec;
  fault: Fault;
  atMs: number;
  target: string;
}

export async function runExperiment(exp: Experiment, ctx: ChaosContext): Promise<ChaosResult> {
  const writeSpec = exp.probes.find((p) => p.kind === 'db-write');
  const fctx: FaultContext = {
    env: ctx.env,
    clock: ctx.clock,
    signal: ctx.signal,
    say: ctx.say,
    runId: ctx.runId,
    ledgerTable: writeSpec?.kind === 'db-write' ? writeSpec.table : undefined,
    kube: ctx.kube,
    recoveryTimeoutMs: exp.recovery.timeout,
  };
  // Plan every injection and resolve its target before anything is touched.
  const planned: Planned[] = [];
  for (const [i, step] of exp.method.entries()) {
    for (let k = 0; k < step.count; k++) {
      const fault = faults[step.fault.kind](step.fault);
      planned.push({ id: `${i + 1}.${k + 1}`, spec: step.fault, fault, atMs: step.at + k * step.interval, target: '' });
    }
  }
  for (const p of planned) p.target = await p.fault.preflight(fctx);
  const result: ChaosResult = {
    experiment: exp.name,
    ...(exp.description ? { description: exp.description } : {}),
    dryRun: ctx.dryRun,
    windowStartMs: ctx.clock.now(),
    windowEndMs: ctx.clock.now(),
    steadyState: { before: 'not checked', after: 'not checked' },
    faults: planned.map((p) => ({
      id: p.id,
      label: p.fault.label,
      target: p.target,
      events: [],
      recovery: 'not injected',
    })),
    probes: [],
    rollbacks: [],
  };
  if (ctx.dryRun) {
    for (const p of planned) ctx.say(`  would inject ${p.id} at +${formatMs(p.atMs)}: ${p.target}`);
    return result;
  }

  const probes: RunningProbe[] = [];
  const rollbacks: Planned[] = [];
  const alerts =
    exp.alerts.length && ctx.env.alertmanager ? watchAlerts(ctx.env.alertmanager.url, ctx.clock) : undefined;
  const loadAbort = new AbortController();
  let load: Promise<void> | undefined;
  try {
    for (const spec of exp.probes) probes.push(await startProbe(spec, ctx.env, ctx.clock, ctx.runId, ctx.kube));
    const steady = exp.steadyState.probes
      ? probes.filter((p) => exp.steadyState.probes!.includes(p.spec.name))
      : probes;
    // No probe, no hypothesis: a steady state the experiment did not declare is 'not checked'
    // before and after, and judged by nothing (slo/chaos.ts) — neither met nor failed.
    const before = steady.length
      ? await waitHealthy(steady, exp.steadyState.samples, exp.steadyState.timeout, ctx)
      : undefined;
    result.steadyState.before = before === undefined ? 'not checked' : before.ok ? 'met' : 'not met';
    if (!before) result.steadyState.detail = 'no steady-state hypothesis declared: the experiment has no probe';
    else if (!before.ok) {
      result.steadyState.detail = `before: ${before.detail}`;
      result.stoppedEarly = 'the steady-state hypothesis did not hold before the method: no fault was injected';
      return result;
    }
    ctx.say(
      before ? `  steady state met (${steady.map((p) => p.spec.name).join(', ')})` : `  ${result.steadyState.detail}`,
    );
    const start = ctx.clock.now();
    result.windowStartMs = start;
    if (ctx.startLoad)
      load = ctx.startLoad(loadAbort.signal).catch((err: unknown) => ctx.say(`  load failed: ${describeError(err)}`));
    const uptimeProbe = probes.find((p) => p.spec.kind === 'http');
    const floor = exp.abort.uptimeBelow; // a ratio, parsed by the experiment's schema

    for (const p of [...planned].sort((a, b) => a.atMs - b.atMs)) {
      await sleep(start + p.atMs - ctx.clock.now(), ctx.signal);
      if (ctx.signal.aborted) break;
      if (floor !== undefined && uptimeProbe) {
        const u = uptime(uptimeProbe.samples, start, ctx.clock.now(), uptimeProbe.spec.interval).ratio;
        if (u !== undefined && u < floor) {
          result.stoppedEarly = `abort condition: uptime ${(u * 100).toFixed(1)}% fell below ${formatPercent(floor)}; no further fault injected`;
          ctx.say(`  ${result.stoppedEarly}`);
          break;
        }
      }
      const watched = exp.abort.probeFailing ? probes.find((x) => x.spec.name === exp.abort.probeFailing) : undefined;
      const latest = watched?.samples.at(-1);
      if (latest && !latest.ok) {
        result.stoppedEarly = `abort condition: probe "${watched!.spec.name}" is unhealthy; no further fault injected`;
        ctx.say(`  ${result.stoppedEarly}`);
        break;
      }
      const record = result.faults.find((f) => f.id === p.id)!;
      rollbacks.push(p); // registered before inject: it runs even if inject fails half-way
      try {
        record.injectedAtMs = ctx.clock.now();
        record.events.push(...(await p.fault.inject(fctx)));
        // A fault that says its own steps (a restore) gets a one-line summary, not a repeat.
        ctx.say(
          `  injected ${p.id} ${p.fault.label}: ${record.events.length > 2 ? `${record.events.length} steps, the last: ${record.events.at(-1)!.what}` : record.events.map((e) => e.what).join('; ')}`,
        );
      } catch (err) {
        record.error = `inject failed: ${describeError(err)}`;
        ctx.say(`  ${p.id} ${record.error}`);
      }
    }
    await sleep(start + exp.duration - ctx.clock.now(), ctx.signal);
    // Faults that measure their own recovery (through an API) finish measuring, bounded.
    for (const p of rollbacks)
      if (p.fault.settle)
        await p.fault.settle(
          ctx.signal.aborted
            ? 0
            : Math.max(
                0,
                (result.faults.find((f) => f.id === p.id)?.injectedAtMs ?? 0) + exp.recovery.timeout - ctx.clock.now(),
              ),
        );
    loadAbort.abort(new Error('the experiment window ended'));
    await load;
    // Recovery: the probes must be healthy again (bounded), whatever happened.
    const after = probes.length
      ? await waitHealthy(probes, exp.recovery.healthySamples, ctx.signal.aborted ? 5000 : exp.recovery.timeout, ctx)
      : { ok: true, detail: '' };
    result.steadyState.after = !probes.length ? 'not checked' : after.ok ? 'met' : 'not met';
    if (!after.ok)
      result.steadyState.detail = `${result.steadyState.detail ? `${result.steadyState.detail}; ` : ''}after: ${after.detail}`;
    result.windowEndMs = ctx.clock.now();
  } finally {
    loadAbort.abort(new Error('the experiment ended'));
    await load;
    for (const p of rollbacks.reverse()) {
      try {
        result.rollbacks.push({ fault: p.id, actions: await p.fault.rollback(fctx) });
      } catch (err) {
        result.rollbacks.push({ fault: p.id, actions: [], error: describeError(err) });
      }
    }
    await Promise.all(probes.map((p) => p.stop()));
    if (alerts) result.alerts = await alerts.stop();
    if (ctx.signal.aborted) result.stoppedEarly ??= describeError(ctx.signal.reason);
    if (result.windowEndMs <= result.windowStartMs) result.windowEndMs = ctx.clock.now();
  }

  // Measurements.
  for (const p of probes) {
    const u = uptime(p.samples, result.windowStartMs, result.windowEndMs, p.spec.interval);
    result.probes.push({
      name: p.spec.name,
      kind: p.spec.kind,
      intervalMs: p.spec.interval,
      total: u.total,
      ok: u.ok,
      healthyMs: round(u.healthyMs),
      coveredMs: round(u.coveredMs),
      samples: p.samples.map((s) => [round(s.t), s.ok ? 1 : 0, round(s.latencyMs)]),
    });
  }
  const writer = probes.find((p) => p.present);
  for (const f of result.faults) {
    if (f.injectedAtMs === undefined) continue;
    const plan = planned.find((p) => p.id === f.id)!;
    const own = plan.fault.outcome?.();
    const spec = plan.spec;
    const probe = recoveryProbe(spec, probes);
    const next =
      result.faults.find((x) => x.injectedAtMs !== undefined && x.injectedAtMs > f.injectedAtMs!)?.injectedAtMs ??
      Infinity;
    if (own) {
      // The fault timed its own recovery: a restore (its RTO, and the RPO of the copy against the
      // ledger), or a Kubernetes fault through the API — which, when a probe also watched, counts
      // as recovered only once the probe's users were served again too.
      let rtoMs = own.rtoMs;
      f.recovery = own.recovery;
      if (!own.restore) f.recoveryWatchedBy = 'api';
      if (probe && !own.restore) {
        const users = measureRto(probe.samples as Sample[], f.injectedAtMs, exp.recovery.healthySamples, next);
        rtoMs = bothRecovered(own.rtoMs, users);
        f.recoveryProbe = probe.spec.name;
        f.recovery = `${own.recovery}; ${probe.spec.name}: ${users.note}`;
      }
      if (rtoMs !== undefined) {
        f.rtoMs = rtoMs;
        f.recoveredAtMs = f.injectedAtMs + rtoMs;
      }
      if (own.restore) f.restore = restoreRpoFromLedger(own.restore, writer?.ledger, f.injectedAtMs);
      continue;
    }
    if (!probe) {
      f.recovery = 'no probe measures this fault’s recovery';
      continue;
    }
    f.recoveryProbe = probe.spec.name;
    const rto = measureRto(probe.samples as Sample[], f.injectedAtMs, exp.recovery.healthySamples, next);
    if (rto.rtoMs !== undefined) f.rtoMs = rto.rtoMs;
    if (rto.recoveredAtMs !== undefined) f.recoveredAtMs = rto.recoveredAtMs;
    f.recovery = `${probe.spec.name}: ${rto.note}`;
  }
  if (writer?.ledger) {
    try {
      const present = await writer.present!(60_000);
      const rpo = measureRpo(writer.ledger, present);
      // What the run wrote in the target goes with it, unless asked to keep it (--keep).
      if (!ctx.keep)
        await writer
          .cleanup?.(10_000)
          .catch((err: unknown) =>
            ctx.say(`  warning: this run's ledger rows were not removed: ${describeError(err)}`),
          );
      result.ledger = {
        probe: writer.spec.name,
        ...rpo,
        lost: rpo.lost.map((l) => ({ seq: l.seq, atMs: round(l.atMs) })),
        verified: `read back ${present.size} rows tagged ${ctx.runId} from the primary after recovery`,
        series: ledgerSeries(writer.ledger, result.windowStartMs, new Set(rpo.lost.map((l) => l.seq))),
      };
    } catch (err) {
      result.ledgerUnverified = `the ledger could not be read back: ${describeError(err)}`;
      ctx.say(`  ${result.ledgerUnverified}`);
    }
  }
  return result;
}

const round = (x: number) => Math.round(x * 100) / 100;

export { GauntletError };

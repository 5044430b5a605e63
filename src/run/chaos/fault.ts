// The Fault seam: preflight (what would be hit, and whether it can be), inject, rollback.
// Rollback is idempotent and registered before inject; it runs on success, failure and interrupt.
import type { Clock } from '../../core/clock.ts';
import type { Environment } from '../../config/schema.ts';
import type { RestoreRecord } from '../../record/schema.ts';

export interface FaultContext {
  env: Environment;
  clock: Clock;
  signal: AbortSignal;
  /** The run's id: the write probe's ledger rows carry it. */
  runId: string;
  /** The write probe's ledger table, when the experiment has one. */
  ledgerTable?: string | undefined;
  say(line: string): void;
  /** Kubernetes guardrails from the config. */
  kube?: { allow: { context: string; namespaces: string[] }[]; maxKillShare: number } | undefined;
  /** How long a fault may take to recover (the experiment's recovery timeout). */
  recoveryTimeoutMs: number;
}

export interface FaultEvent {
  atMs: number;
  what: string;
}

export interface Fault {
  label: string;
  /** Resolves what the fault would hit, without changing anything. Throws when it cannot run. */
  preflight(ctx: FaultContext): Promise<string>;
  inject(ctx: FaultContext): Promise<FaultEvent[]>;
  /** Waits (bounded) until the fault's own recovery measurement is complete. */
  settle?(timeoutMs: number): Promise<void>;
  /** For faults that measure their own recovery (a restore is timed, not probed): the outcome once injected. */
  outcome?(): FaultOutcome | undefined;
  /** Puts back what the fault changed (beyond what the system heals itself); says what it did. */
  rollback(ctx: FaultContext): Promise<string[]>;
}

export interface FaultOutcome {
  rtoMs?: number;
  recovery: string;
  error?: string;
  restore?: RestoreRecord;
}

export type { RestoreRecord } from '../../record/schema.ts';

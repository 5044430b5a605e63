// The Fault seam: preflight (what would be hit, and whether it can be), inject, rollback.
// Rollback is idempotent and registered before inject; it runs on success, failure and interrupt.
import type { Clock } from '../../core/clock.ts';
import type { Environment } from '../../config/schema.ts';

export interface FaultContext {
  env: Environment;
  clock: Clock;
  signal: AbortSignal;
  say(line: string): void;
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
  /** Puts back what the fault changed (beyond what the system heals itself); says what it did. */
  rollback(ctx: FaultContext): Promise<string[]>;
}

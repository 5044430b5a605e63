// The LoadEngine seam: the same profile, the same result shape, whichever engine runs it.
import type { Clock } from '../../core/clock.ts';
import type { Profile } from '../../config/profile.ts';
import type { LoadResult } from '../../record/schema.ts';
import type { ProgressFigures } from '../../record/progress.ts';
import type { TlsOptions } from '../../targets/tls.ts';
import type { DataRequest } from './data.ts';

/** Where the load goes: the base URL, the requests, and for https the environment's TLS settings. */
export interface LoadTarget {
  baseUrl: string;
  requests: PreparedRequest[];
  tls?: TlsOptions | undefined;
}

/** An HTTP request of the mix with setup captures filled in, ready to send. */
export interface PreparedHttp {
  kind: 'http';
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | undefined;
  weight: number;
}

/** A SQL statement or Redis command of the mix, its URL resolved. */
export interface PreparedData {
  kind: 'postgres' | 'redis';
  name: string;
  /** Its method tag: the statement's verb (SELECT, INSERT…) or the Redis command (GET, SET…). */
  method: string;
  weight: number;
  data: DataRequest;
  timeoutMs?: number | undefined;
}

export type PreparedRequest = PreparedHttp | PreparedData;

/** Engines that speak HTTP only (k6, k6-operator) take the HTTP requests; data ones are refused earlier. */
export const httpOnly = (rs: readonly PreparedRequest[]): PreparedHttp[] =>
  rs.filter((r): r is PreparedHttp => r.kind === 'http');

export interface Progress extends ProgressFigures {
  /** The result so far (for abortOnFail thresholds); built on demand. */
  snapshot(): LoadResult;
}

export interface LoadRunContext {
  clock: Clock;
  signal: AbortSignal;
  onProgress?(p: Progress): void;
  /** Called each second; a string stops the load early with that reason (abortOnFail). */
  shouldAbort?(p: Progress): string | undefined;
}

export interface LoadEngine {
  name: string;
  run(profile: Profile, target: LoadTarget, ctx: LoadRunContext): Promise<LoadResult>;
  /** Throws (exit 3) when the engine cannot run here, e.g. its binary is missing: checked before any stage. */
  preflight?(env: Record<string, string | undefined>): void;
}

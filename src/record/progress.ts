// A load in progress, as the live line and the live pushes show it; the engines report it each second.

/** A load's figures so far. */
export interface ProgressFigures {
  elapsedMs: number;
  scheduledMs: number;
  requests: number;
  failed: number;
  /** Requests completed in the last full second. */
  rps: number;
  p95Ms: number | undefined;
  vus: number;
  dropped: number;
}

// The run's one clock: every sample, check and event is stamped in ms since the run started
// (monotonic), and the wall time of the start anchors them for humans.

export interface Clock {
  /** Wall-clock start of the run, ISO 8601. */
  readonly startedAt: string;
  /** Milliseconds since the run started, monotonic, fractional. */
  now(): number;
  /** ISO wall time for a clock reading. */
  isoAt(ms: number): string;
}

export function startClock(): Clock {
  const wallStart = Date.now();
  const monoStart = performance.now();
  return {
    startedAt: new Date(wallStart).toISOString(),
    now: () => performance.now() - monoStart,
    isoAt: (ms) => new Date(wallStart + ms).toISOString(),
  };
}

// The schedule every live output shares (remote write, OTLP): push the load's figures so far at
// most every interval while it runs, never two pushes at once, once more at the end; a failing
// receiver is said once and never stops or changes the run.
import type { LoadResult } from '../record/schema.ts';

export interface LiveOutput {
  /** Called with each second's snapshot; pushes when the interval has passed. */
  tick(snapshot: () => LoadResult): void;
  /** The final figures, after the last in-flight push; returns the delivery line. */
  end(final: LoadResult): Promise<string>;
}

export function liveOutput(
  to: string,
  intervalMs: number,
  send: (l: LoadResult) => Promise<void>,
  what: string,
  warn: (line: string) => void,
): LiveOutput {
  let last = 0;
  let inFlight: Promise<void> | undefined;
  let pushes = 0;
  let failed = 0;
  let warned = false;
  const push = (l: LoadResult): Promise<void> =>
    send(l).then(
      () => void pushes++,
      (err: unknown) => {
        failed++;
        if (!warned) warn(`warning: ${to}: ${err instanceof Error ? err.message : String(err)} (the run goes on)`);
        warned = true;
      },
    );
  return {
    tick(snapshot) {
      if (inFlight || Date.now() - last < intervalMs) return;
      last = Date.now();
      inFlight = push(snapshot()).finally(() => (inFlight = undefined));
    },
    async end(final) {
      await inFlight;
      await push(final);
      return `${to}: ${pushes} push${pushes === 1 ? '' : 'es'} of ${what}${failed ? `, ${failed} failed` : ''}`;
    },
  };
}

// The one sleep. Ends after `ms`, or at once when `signal` aborts — quietly, never throwing
// (Node's timers/promises rejects on abort): a waiting loop checks its signal after the sleep.
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

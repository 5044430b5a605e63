// The one exit-code table (DESIGN.md) and the error type that carries a code to the CLI.
// Expected failures are values elsewhere; a GauntletError means "stop the run with this code".

export const ExitCode = {
  pass: 0,
  verdictFailed: 1,
  badConfig: 2,
  couldNotRun: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class GauntletError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** Extra lines (e.g. every config problem) shown under the message. */
    readonly details: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GauntletError';
  }
}

export const configError = (message: string, details: readonly string[] = []) =>
  new GauntletError(ExitCode.badConfig, message, details);

export const cannotRun = (message: string, details: readonly string[] = []) =>
  new GauntletError(ExitCode.couldNotRun, message, details);

/** One line for any thrown value: what a user sees without --verbose. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = err.cause instanceof Error ? `: ${describeError(err.cause)}` : '';
    const msg = err.message || err.name;
    return code && !msg.includes(code) ? `${msg} (${code})${cause}` : `${msg}${cause}`;
  }
  return String(err);
}

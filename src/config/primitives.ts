// Small schemas shared by the config, suites, profiles and experiments.
import { z } from 'zod';
import { parseDurationMs } from '../core/duration.ts';

/** "250ms", "30s", "2m" or a number of milliseconds; parsed to milliseconds. */
export const Duration = z
  .union([z.number().nonnegative(), z.string()])
  .transform((v, ctx) => {
    if (typeof v === 'number') return v;
    const ms = parseDurationMs(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (use e.g. 250ms, 30s, 2m)` });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ description: 'A duration: "250ms", "30s", "2m", "1h", or milliseconds as a number' });

const envRef = /\$\{env:[A-Za-z_][A-Za-z0-9_]*\}/;
export const isEnvRef = (s: string) => envRef.test(s);

/** A URL, or a string holding ${env:NAME} references that resolve to one at run time. */
export const UrlOrRef = z.string().refine((s) => isEnvRef(s) || URL.canParse(s), {
  message: 'must be a URL or contain an ${env:NAME} reference',
});

/** A string that must come from the environment when it carries a credential. */
export const SecretRef = z.string().refine(isEnvRef, {
  message: 'secrets are referenced as ${env:NAME}, never written inline',
});

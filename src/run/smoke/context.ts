// What a smoke check sees: where the target is, captured values from earlier checks, the clock.
import type { Clock } from '../../core/clock.ts';
import type { Redactor } from '../../core/redact.ts';
import type { Environment } from '../../config/schema.ts';
import type { Exchange, Expectation } from '../../record/schema.ts';

export interface CheckContext {
  env: Environment;
  /** Values captured by earlier checks, by name: `{{token}}` in later checks. */
  vars: Map<string, string>;
  redactor: Redactor;
  clock: Clock;
  signal: AbortSignal;
}

/** One attempt of a check. `reason` is set when it could not get a response at all. */
export interface Attempt {
  expectations: Expectation[];
  durationMs: number;
  exchange?: Exchange;
  reason?: string;
  /** What captures read from. */
  response?: { text: string; json?: unknown; headers: Record<string, string> };
  detail?: string;
  attachments?: { name: string; contentType: string; base64: string }[];
  /** A check that runs many tests (playwright) reports each as its own result. */
  tests?: {
    name: string;
    file?: string;
    ok: boolean;
    reason?: string;
    durationMs: number;
    detail?: string;
    attachments?: { name: string; contentType: string; base64: string }[];
  }[];
}

export const passed = (a: Attempt) =>
  a.reason === undefined && a.expectations.every((e) => e.ok) && (a.tests ?? []).every((t) => t.ok);

/** Replaces {{name}} with captured values; an unknown name is an error the check reports. */
export function fillTemplate<T>(value: T, vars: Map<string, string>): T {
  if (typeof value === 'string') {
    return value.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, name: string) => {
      const v = vars.get(name);
      if (v === undefined) throw new TemplateError(name);
      return v;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => fillTemplate(v, vars)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplate(v, vars)])) as T;
  }
  return value;
}

export class TemplateError extends Error {
  constructor(readonly variable: string) {
    super(`uses {{${variable}}}, which no earlier check captured`);
  }
}

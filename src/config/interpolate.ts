// ${env:NAME} references: resolved at run time, every resolved value registered as a secret.
import { existsSync } from 'node:fs';
import type { Redactor } from '../core/redact.ts';

const ref = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface Unresolved {
  path: string;
  name: string;
}

/**
 * Deep-copies `value` with every ${env:NAME} replaced from `env`. Missing names are collected
 * (with the key path that used them), not thrown, so every problem is reported at once.
 */
export function interpolateEnv<T>(
  value: T,
  env: Record<string, string | undefined>,
  redactor: Redactor,
  missing: Unresolved[],
  path: string[] = [],
): T {
  if (typeof value === 'string') {
    return value.replace(ref, (_m, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') {
        missing.push({ path: path.join('.'), name });
        return '';
      }
      registerSecret(v, redactor);
      return v;
    }) as T;
  }
  if (Array.isArray(value))
    return value.map((v, i) => interpolateEnv(v, env, redactor, missing, [...path, String(i)])) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateEnv(v, env, redactor, missing, [...path, k]);
    return out as T;
  }
  return value;
}

/**
 * A URL without credentials is an address, and a path to a file or folder that exists is a
 * place: neither is a secret (a DR report must say which backup folder it restored from).
 * Anything else from the environment is.
 */
function registerSecret(value: string, redactor: Redactor): void {
  if (/^\.{0,2}\//.test(value) && !/\s/.test(value) && existsSync(value)) return;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && URL.canParse(value)) {
    redactor.addUrlCredentials(value);
    return;
  }
  redactor.add(value);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Credentials written inline (a URL password, an Authorization header) instead of as ${env:NAME}. */
export function findInlineSecrets(value: unknown, path: string[] = []): string[] {
  const found: string[] = [];
  if (typeof value === 'string') {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*?:([^@/\s]+)@/i.exec(value);
    if (m && !m[1]!.includes('${env:')) found.push(path.join('.'));
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) found.push(...findInlineSecrets(v, [...path, String(i)]));
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (
        /^(authorization|x-api-key|password)$/i.test(k) &&
        typeof v === 'string' &&
        !v.includes('${env:') &&
        !v.includes('{{')
      ) {
        found.push([...path, k].join('.'));
      } else {
        found.push(...findInlineSecrets(v, [...path, k]));
      }
    }
  }
  return found;
}

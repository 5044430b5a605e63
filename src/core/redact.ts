// Secrets never reach logs or reports: every value that came from a secret env var, a URL
// password, an auth header or a captured token is registered here, and every string that
// leaves the process passes through redact().

export const REDACTED = '[redacted]';
const ELLIPSIS = '…';

/** Cuts long text for a report; the marker lets the redactor catch a secret cut in half. */
export function truncate(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}${ELLIPSIS}` : text;
}

const sensitiveHeaders = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
]);

export function isSensitiveHeader(name: string): boolean {
  return sensitiveHeaders.has(name.toLowerCase());
}

export class Redactor {
  #secrets = new Set<string>();
  #pattern: RegExp | undefined;

  /** Registers a secret value; values shorter than 4 characters would redact noise and are kept out. */
  add(value: string | undefined): void {
    if (!value || value.length < 4 || this.#secrets.has(value)) return;
    this.#secrets.add(value);
    // A token also travels URL-encoded (query strings, form bodies).
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.#secrets.add(encoded);
    this.#pattern = undefined;
  }

  /** Registers the password of a URL such as postgres://user:pass@host/db. */
  addUrlCredentials(url: string): void {
    try {
      const u = new URL(url);
      if (u.password) {
        this.add(decodeURIComponent(u.password));
        this.add(u.password);
      }
    } catch {
      /* not a URL: nothing to register */
    }
  }

  get size(): number {
    return this.#secrets.size;
  }

  redact(text: string): string {
    if (this.#secrets.size === 0) return text;
    this.#pattern ??= new RegExp(
      [...this.#secrets]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|'),
      'g',
    );
    const out = text.replace(this.#pattern, REDACTED);
    return out.endsWith(ELLIPSIS) ? this.#redactCutTail(out) : out;
  }

  /** A string cut by truncate() may end in the first part of a secret: redact that part too. */
  #redactCutTail(text: string): string {
    const body = text.slice(0, -ELLIPSIS.length);
    for (const secret of this.#secrets) {
      for (let n = Math.min(secret.length - 1, body.length); n >= 4; n--) {
        if (body.endsWith(secret.slice(0, n))) return `${body.slice(0, -n)}${REDACTED}${ELLIPSIS}`;
      }
    }
    return text;
  }

  /** A deep copy with every string redacted. */
  redactDeep<T>(value: T): T {
    return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? this.redact(v) : v))) as T;
  }

  /** Header values for a report: sensitive ones replaced whole, others redacted by value. */
  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) out[k] = isSensitiveHeader(k) ? REDACTED : this.redact(v);
    return out;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

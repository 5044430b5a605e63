// External JSON (Patroni, Prometheus, Alertmanager, Playwright’s report) is parsed with zod, never cast:
// an answer of another shape — a proxy's error page, another version's fields — is one line
// naming who answered and the first field that is not as expected.
import type { z } from 'zod';

export function parseAnswer<T extends z.ZodType>(schema: T, body: unknown, who: string): z.infer<T> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  throw new Error(
    `${who} answered in a shape it does not use: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`,
  );
}

// URLs as the config writes them: a path joined to the environment's base URL.

/** Joins a check's path to the environment's base URL (an absolute URL is used as is). */
export function resolveUrl(baseUrl: string, path: string, query?: Record<string, string | number | boolean>): string {
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(path)
    ? new URL(path)
    : new URL(path.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, String(v));
  return url.toString();
}

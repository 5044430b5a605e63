// Which socket loop sends a profile's load on this machine (GAUNTLET_CORE): the native load core
// (native/loadcore, a Rust process per worker) or the JavaScript worker threads. Pure but for
// finding the core's binary; the plan refuses a forced core that cannot run a profile before
// anything starts, and the engine (run/load/native.ts) picks the same way.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Core = 'native' | 'js';

const CANDIDATES = [
  // a checkout: src/config → native/bin; the package: dist → native/bin
  new URL('../../native/bin/gauntlet-loadcore', import.meta.url),
  new URL('../native/bin/gauntlet-loadcore', import.meta.url),
];

/** The core's binary, when it was built (scripts/setup.sh) or named by GAUNTLET_LOADCORE. */
export function nativeCorePath(): string | undefined {
  const named = process.env.GAUNTLET_LOADCORE;
  if (named) return existsSync(named) ? named : undefined;
  for (const u of CANDIDATES) {
    const p = fileURLToPath(u);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** What decides whether a profile can run on the native core. */
export interface CoreNeeds {
  /** Why its SQL/Redis requests cannot run there (dataRefusal), when they cannot. */
  dataProblem?: string | undefined;
  thinkTime: boolean;
}

/** Why a profile cannot run on the native core, or undefined when it can. */
export function nativeRefusal(n: CoreNeeds): string | undefined {
  if (n.dataProblem) return n.dataProblem;
  if (n.thinkTime) return 'the profile has think time';
  if (!nativeCorePath()) return 'the native core is not built (scripts/setup.sh builds it with cargo)';
  return undefined;
}

/**
 * The native core speaks to one server per run: HTTP, or one PostgreSQL or Redis URL (the
 * extended protocol and RESP; trust, password, md5 and SCRAM-SHA-256 authentication). A mix, or
 * a URL with parameters the JavaScript clients read (sslmode, …), runs on the JavaScript workers.
 * `url` undefined: not known yet (the plan, before the environment's URLs are resolved).
 */
export function dataRefusal(rs: readonly { kind: string; url?: string | undefined }[]): string | undefined {
  const data = rs.filter((r) => r.kind !== 'http');
  if (!data.length) return undefined;
  if (data.length < rs.length) return 'the profile mixes HTTP with SQL or Redis requests';
  if (new Set(data.map((r) => `${r.kind} ${r.url ?? ''}`)).size > 1)
    return 'the profile sends to more than one database';
  const { kind, url } = data[0]!;
  if (url === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'its database URL is not one the native core reads';
  }
  if (u.search) {
    const keys = [...u.searchParams.keys()].join(', ');
    return `its database URL has parameters (${keys}) only the JavaScript clients read`;
  }
  if (u.protocol === 'rediss:') return 'its Redis URL is TLS (rediss://)';
  if (kind === 'postgres' && !u.username) return 'its PostgreSQL URL names no user';
  if (!u.hostname) return 'its database URL names no host';
  return undefined;
}

/** GAUNTLET_CORE's value, or why it is not one (the plan says so before anything runs). */
export function coreSetting(env: string | undefined): { want: Core | 'auto' } | { problem: string } {
  const want = env || 'auto';
  if (want === 'native' || want === 'js' || want === 'auto') return { want };
  return { problem: `GAUNTLET_CORE=${want}: expected native, js or auto (the default)` };
}

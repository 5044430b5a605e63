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
  data: boolean;
  thinkTime: boolean;
}

/** Why a profile cannot run on the native core, or undefined when it can. */
export function nativeRefusal(n: CoreNeeds): string | undefined {
  if (n.data) return 'the profile sends SQL or Redis requests';
  if (n.thinkTime) return 'the profile has think time';
  if (!nativeCorePath()) return 'the native core is not built (scripts/setup.sh builds it with cargo)';
  return undefined;
}

/** GAUNTLET_CORE's value, or why it is not one (the plan says so before anything runs). */
export function coreSetting(env: string | undefined): { want: Core | 'auto' } | { problem: string } {
  const want = env || 'auto';
  if (want === 'native' || want === 'js' || want === 'auto') return { want };
  return { problem: `GAUNTLET_CORE=${want}: expected native, js or auto (the default)` };
}

// `gauntlet demo`: brings up the demo stack, runs the gate against it with Gauntlet's own
// config, writes the report, and tears the stack down whatever happened.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startDemoApi } from '../../examples/demo-stack/api.ts';
import type { Flags } from '../config/load.ts';
import { runSession, type Finished, type Io } from './session.ts';
import { runGate } from './gate.ts';

const PACKAGE_CONFIG = fileURLToPath(new URL('../../gauntlet.config.ts', import.meta.url));

export async function demoApp(flags: Flags, io: Io): Promise<Finished> {
  const password = `demo-${randomBytes(6).toString('hex')}`;
  io.print('demo: starting the demo stack (API with JWT login, GraphQL, WebSocket, rate limit) on 127.0.0.1');
  const api = await startDemoApi({ password, jwtSecret: randomBytes(32).toString('hex'), rateLimitPerMinute: 100 });
  io.print(`demo: API at ${api.url}`);
  try {
    const env = { ...io.env, DEMO_BASE_URL: api.url, DEMO_PASSWORD: password };
    return await runSession('demo', { ...flags, config: flags.config ?? PACKAGE_CONFIG, env: 'demo' }, { ...io, env }, runGate);
  } finally {
    await api.close();
    io.print('demo: stack stopped');
  }
}

// `gauntlet demo`: brings up the demo stack, runs the gate against it with Gauntlet's own
// config, writes the report, and tears the stack down whatever happened.
import { fileURLToPath } from 'node:url';
import { startDemoStack } from '../../examples/demo-stack/stack.ts';
import type { Flags } from '../config/load.ts';
import { runSession, type Finished, type Io } from './session.ts';
import { runGate } from './gate.ts';

const PACKAGE_CONFIG = fileURLToPath(new URL('../../gauntlet.config.ts', import.meta.url));

export async function demoApp(flags: Flags, io: Io): Promise<Finished> {
  io.print('demo: starting the demo stack on 127.0.0.1 (PostgreSQL, Redis, the API with JWT login, GraphQL, WebSocket, rate limit, and its frontend)');
  const stack = await startDemoStack();
  io.print(`demo: API and frontend at ${stack.api.url}, PostgreSQL on port ${stack.postgres.port}, Redis on port ${stack.redis.port}`);
  try {
    return await runSession('demo', { ...flags, config: flags.config ?? PACKAGE_CONFIG, env: 'demo' }, { ...io, env: { ...io.env, ...stack.env } }, runGate);
  } finally {
    await stack.stop();
    io.print('demo: stack stopped');
  }
}

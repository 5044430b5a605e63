// `npm run bench:smoke`: wall time of a full smoke run of the demo's suites (API + PostgreSQL +
// Redis + one browser spec, Chromium launch included), measured by hyperfine.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDemoStack } from '../examples/demo-stack/stack.ts';

const ROOT = resolve(import.meta.dirname, '..');
const stack = await startDemoStack({ rateLimitPerMinute: 100_000 });
try {
  const md = join(mkdtempSync(join(tmpdir(), 'gauntlet-bench-')), 'smoke.md');
  // Asynchronously: the demo API answers from this process's event loop.
  const child = spawn(
    'hyperfine',
    [
      '--warmup',
      '1',
      '--runs',
      process.env.BENCH_RUNS ?? '10',
      '--export-markdown',
      md,
      '--style',
      'basic',
      `node ${ROOT}/bin/gauntlet.mjs smoke --out /tmp/gauntlet-bench-smoke`,
    ],
    {
      env: { ...process.env, ...stack.env },
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`hyperfine exited ${code}`);
  console.log(readFileSync(md, 'utf8'));
} finally {
  await stack.stop();
}

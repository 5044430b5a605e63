// The package build: the TypeScript sources compiled to JavaScript and declarations in dist/
// (tsc: relative .ts imports rewritten to .js, one file per source, nothing bundled), and the
// files that are JavaScript already (the worker entry, the Playwright fixtures) copied beside them.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
cpSync(join(root, 'src'), join(root, 'dist'), {
  recursive: true,
  filter: (f) => !/\.(ts|tsx)$/.test(f) || f.endsWith('.d.mts'),
});
console.log(`[build] dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);

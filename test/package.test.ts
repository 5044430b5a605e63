// The package as a user gets it: `npm pack` (which builds dist/), installed into an empty project
// with npm; a TypeScript config importing defineConfig from 'gauntlet' type-checks with tsc (and a
// wrong one does not), and the installed CLI runs it: validate, and a load whose workers run the
// compiled JavaScript (the package holds no TypeScript sources).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, project, server, latestReport } from './helpers.ts';

const exec = promisify(execFile);
const run = (cmd: string, args: string[], cwd: string) =>
  exec(cmd, args, {
    cwd,
    maxBuffer: 32 << 20,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

let dir: string;
let target: Awaited<ReturnType<typeof server>>;
beforeAll(async () => {
  target = await server((_req, res) => res.writeHead(200).end('ok'));
  const packed = project({});
  const pack = await run('npm', ['pack', '--silent', '--pack-destination', packed], ROOT);
  expect(pack.code, pack.out).toBe(0);
  const tgz = readdirSync(packed).find((f) => f.endsWith('.tgz'))!;
  dir = project({
    'package.json': JSON.stringify({ name: 'my-service-gates', private: true, type: 'module' }),
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      include: ['gauntlet.config.ts'],
    }),
    'gauntlet.config.ts': `import { defineConfig } from 'gauntlet';

export default defineConfig({
  environments: { local: { baseUrl: '${target.url}' } },
});
`,
    'p.yaml':
      'name: tiny\nscenario: { executor: constant-arrival-rate, rate: 20, duration: 2s, preAllocatedVUs: 2 }\nrequests:\n  - { name: home, path: / }\n',
  });
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(packed, tgz)],
    dir,
  );
  expect(install.code, install.out).toBe(0);
}, 300_000);
afterAll(async () => {
  await target?.close();
});

describe('the installed package', () => {
  it('holds compiled JavaScript with declarations, no TypeScript sources', () => {
    const pkg = join(dir, 'node_modules', 'gauntlet');
    expect(existsSync(join(pkg, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'run', 'load', 'worker.js'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
  });

  it("a config importing defineConfig from 'gauntlet' type-checks; a wrong one is a type error", async () => {
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    const ok = await run(tsc, ['-p', 'tsconfig.json'], dir);
    expect(ok.out).toBe('');
    expect(ok.code).toBe(0);
    writeFileSync(
      join(dir, 'wrong.ts'),
      "import { defineConfig } from 'gauntlet';\nexport default defineConfig({ environments: { local: { baseUrl: 42 } } });\n",
    );
    writeFileSync(
      join(dir, 'tsconfig.wrong.json'),
      JSON.stringify({ extends: './tsconfig.json', include: ['wrong.ts'] }),
    );
    const bad = await run(tsc, ['-p', 'tsconfig.wrong.json'], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/wrong\.ts\(2,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
  });

  it('the installed CLI runs it: validate, then a load on the compiled workers', async () => {
    const bin = join(dir, 'node_modules', '.bin', 'gauntlet');
    const v = await run(bin, ['validate'], dir);
    expect(v.code, v.out).toBe(0);
    const load = await run(bin, ['load', 'p.yaml'], dir);
    expect(load.code, load.out).toBe(0);
    const r = latestReport(dir).record as unknown as {
      load: { totals: { requests: number } };
      tool: { version: string };
    };
    expect(r.load.totals.requests).toBeGreaterThanOrEqual(30);
  }, 120_000);
});

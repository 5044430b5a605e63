#!/usr/bin/env node
// Entry point. Installed (under node_modules), Gauntlet runs its compiled JavaScript (dist/). A
// checkout runs the TypeScript sources through jiti — the loader that reads users'
// gauntlet.config.ts — so there is no build step between an edit and a run; GAUNTLET_COMPILED=1
// runs dist/ there too (after `npm run build`).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
const installed = import.meta.url.includes('/node_modules/');
const { main } =
  existsSync(compiled) && (installed || process.env.GAUNTLET_COMPILED === '1')
    ? await import(compiled.href)
    : await (
        await import('jiti')
      )
        .createJiti(import.meta.url, { interopDefault: true })
        .import(new URL('../src/cli/main.ts', import.meta.url).pathname);
process.exitCode = await main(process.argv.slice(2));

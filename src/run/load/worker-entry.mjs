// Worker threads start here: the compiled worker (dist/, the installed package) when it is beside
// this file, else the TypeScript one through jiti (a checkout, like the rest of the sources).
import { existsSync } from 'node:fs';

const compiled = new URL('./worker.js', import.meta.url);
if (existsSync(compiled)) await import(compiled.href);
else await (await import('jiti')).createJiti(import.meta.url).import('./worker.ts');

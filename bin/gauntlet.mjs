#!/usr/bin/env node
// Entry point: Gauntlet's sources are TypeScript, loaded through jiti (the same loader that
// reads users' gauntlet.config.ts), so there is no build step between a checkout and a run.
import { createJiti } from 'jiti';

const jiti = createJiti(import.meta.url, { interopDefault: true });
const { main } = await jiti.import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

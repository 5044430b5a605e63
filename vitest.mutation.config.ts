import { defineConfig } from 'vitest/config';

// What StrykerJS runs against each mutant: the `unit` project's tests alone (vitest.config.ts),
// pure and fast. The e2e tiers start real servers on fixed ports; two mutants at once would fight
// over them, and the judges they reach are the ones the unit tests already call.
export default defineConfig({
  test: { include: ['src/**/*.test.ts'] },
});

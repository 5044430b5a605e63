import { defineConfig } from 'vitest/config';

// Tiers are projects, never skips: `unit` is pure and fast; `e2e` runs the CLI against real
// servers over loopback and real Chromium. CI installs what every tier needs.
export default defineConfig({
  test: {
    // One file at a time: e2e files start real clusters and time real traffic on 2 shared cores,
    // and their "nothing left running" checks compare the machine's processes before and after.
    fileParallelism: false,
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      { test: { name: 'e2e', include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      // The engine's own e2e tests again on its JavaScript workers: plain-HTTP profiles run on the
      // native load core by default (native/loadcore), and both socket loops must hold the same bar.
      {
        test: {
          name: 'e2e-js-core',
          include: ['test/load.test.ts', 'test/https.test.ts'],
          env: { GAUNTLET_CORE: 'js' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

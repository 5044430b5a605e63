// The house's import directions (STYLE.md): the flow runs config → plan → run → measure → slo → report,
// orchestrated by app/, entered through cli/. Lower layers never import higher ones, nothing is
// circular, and nothing in src/ imports the tests or the demo stack (app/demo.ts aside: it starts
// it). `npm test` fails on a violation.
/** @type {import('dependency-cruiser').IConfiguration} */
const layer = (from, notTo, comment) => ({
  name: `${from}-not-to-${notTo.join('-')}`,
  comment,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: `^src/(${notTo.join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'a cycle hides which way the flow runs',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-tests-or-examples',
      severity: 'error',
      comment: 'the product never imports its tests or the demo stack (the demo command starts it)',
      from: { path: '^src/', pathNot: '^src/app/demo\\.ts$' },
      to: { path: '^(test|examples|scripts)/' },
    },
    layer(
      'core',
      ['config', 'plan', 'record', 'measure', 'slo', 'report', 'run', 'targets', 'app', 'cli'],
      'core is the floor: durations, errors, redaction, comparison',
    ),
    layer(
      'record',
      ['config', 'plan', 'slo', 'report', 'run', 'targets', 'app', 'cli'],
      'the run record is a model: it knows no stage',
    ),
    layer(
      'config',
      ['plan', 'slo', 'report', 'run', 'targets', 'app', 'cli'],
      'config parses and validates what the user wrote, nothing runs',
    ),
    layer(
      'plan',
      ['run', 'measure', 'slo', 'report', 'app', 'cli'],
      'the plan stage reads config and files into what will run, before any side effect',
    ),
    layer(
      'measure',
      ['plan', 'slo', 'report', 'run', 'app', 'cli'],
      'measurement turns samples into figures; it neither runs nor judges',
    ),
    layer(
      'targets',
      ['plan', 'slo', 'report', 'run', 'app', 'cli'],
      'clients of the systems under test and around them',
    ),
    layer('slo', ['plan', 'report', 'run', 'targets', 'app', 'cli'], 'verdicts are pure: record in, verdicts out'),
    layer('report', ['plan', 'run', 'targets', 'app', 'cli'], 'reports render a record; they never run anything'),
    layer('run', ['report', 'app', 'cli'], 'the run stage produces results; it does not judge or render them'),
    layer('app', ['cli'], 'the CLI calls the apps, never the reverse'),
  ],
  options: {
    // TypeScript 7 (the native compiler) has no JavaScript API dependency-cruiser can parse with: swc parses instead.
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js'] },
  },
};

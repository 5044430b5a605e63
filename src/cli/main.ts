// argv → app call. The only place that prints verdicts and turns outcomes into exit codes.
import type { InitOptions } from '../app/init.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, GauntletError, describeError } from '../core/errors.ts';
import type { Flags } from '../config/load.ts';
import { githubAnnotations, summaryLines } from '../report/console.ts';
import type { Finished, Io } from '../app/session.ts';
import { VERSION } from '../version.ts';

interface GlobalOpts extends Flags {
  verbose?: boolean;
}

export async function main(argv: string[], io: Partial<Io> = {}): Promise<number> {
  const out: Io = {
    cwd: io.cwd ?? process.cwd(),
    env: io.env ?? process.env,
    print: io.print ?? ((line) => process.stdout.write(`${line}\n`)),
    progress: io.progress ?? progressWriter(),
    verbose: argv.includes('--verbose'),
    argv: io.argv ?? argv,
  };
  const err = (line: string) => (io.print ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  let exitCode: number = ExitCode.pass;

  const program = new Command('gauntlet')
    .description('Smoke, load and chaos tests for a deployed system, judged against SLOs')
    .version(VERSION)
    .option('-c, --config <file>', 'config file (default: gauntlet.config.{ts,yaml} in the working directory)')
    .option('-e, --env <name>', 'environment from the config (or GAUNTLET_ENV)')
    .option('-o, --out <dir>', 'reports root (or GAUNTLET_OUT; default reports/)')
    .option('--base-url <url>', "override the environment's baseUrl (or GAUNTLET_BASE_URL)")
    .option('--verbose', 'show stack traces for internal errors')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.print(s.trimEnd()), writeErr: (s) => err(s.trimEnd()) })
    .showHelpAfterError('(run gauntlet --help for usage)');

  const globals = (): GlobalOpts => program.opts<GlobalOpts>();
  const finish = (f: Finished) => {
    for (const line of summaryLines(f.record, join(f.reportDir, 'index.html'))) out.print(line);
    // In GitHub Actions, failing verdicts become annotations on the run (GitHub sets GITHUB_ACTIONS=true).
    if (out.env.GITHUB_ACTIONS === 'true') for (const line of githubAnnotations(f.record)) out.print(line);
    exitCode = f.exitCode;
  };

  program
    .command('smoke')
    .description('run the smoke suites against an environment')
    .action(async () => finish(await (await import('../app/smoke.ts')).smokeApp(globals(), out)));

  const engineOpts = (c: Command) =>
    c
      .option('--engine <name>', 'load engine: embedded (default), k6, kubernetes, k6-operator (or GAUNTLET_ENGINE)')
      .option('--parallelism <n>', 'kubernetes: shard pods; k6-operator: runner pods', (v) => Number.parseInt(v, 10))
      .option('--keep', 'k6-operator: leave the ConfigMap, Secret and TestRun in the cluster');
  type EngineOpts = { engine?: string; parallelism?: number; keep?: boolean };

  engineOpts(
    program
      .command('load <profile>')
      .description('run a load profile (scenarios/*.ts or .yaml) or a k6 script (*.k6.ts) and judge its thresholds'),
  ).action(async (profile: string, opts: EngineOpts) =>
    finish(await (await import('../app/load.ts')).loadApp(profile, { ...globals(), ...opts }, out)),
  );

  program
    .command('capacity <profile>')
    .description(
      'find the highest arrival rate at which the profile’s thresholds hold (its capacity block), trended against earlier runs',
    )
    .action(async (profile: string) =>
      finish(await (await import('../app/capacity.ts')).capacityApp(profile, globals(), out)),
    );

  program
    .command('compare <base> <new>')
    .description(
      'compare two run records (run.json): metric deltas against the config’s regression limits, verdicts that changed; exit 1 on a regression',
    )
    .option(
      '--force',
      'compare runs that differ in profile, scenario, engine, socket loop, environment or record version, or whose base did not finish',
    )
    .action(async (base: string, next: string, opts: { force?: boolean }) =>
      finish(
        await (
          await import('../app/compare.ts')
        ).compareApp(base, next, { ...globals(), force: opts.force ?? false }, out),
      ),
    );

  engineOpts(
    program
      .command('gate')
      .description('post-deploy gate: the smoke suites plus the configured load profile, one verdict'),
  ).action(async (opts: EngineOpts) =>
    finish(await (await import('../app/gate.ts')).gateApp({ ...globals(), ...opts }, out)),
  );

  program
    .command('chaos <experiment>')
    .description('run a chaos experiment (chaos/*.ts or .yaml): faults under load, RTO/RPO/uptime verdicts')
    .option('--dry-run', 'print exactly what would be hit, and hit nothing')
    .option('--keep', 'leave the write probe’s ledger rows in the database (removed after the read-back by default)')
    .action(async (file: string, opts: { dryRun?: boolean; keep?: boolean }) =>
      finish(
        await (
          await import('../app/chaos.ts')
        ).chaosApp(file, { ...globals(), dryRun: opts.dryRun ?? false, keep: opts.keep ?? false }, out),
      ),
    );

  program
    .command('drill')
    .description(
      'the DR drill: the config’s drill plan of chaos experiments (failover, backup restore…) under load, judged against the DR plan’s RTO and RPO, with a sign-off and the trend against the last drill',
    )
    .option('--keep', 'leave the write probes’ ledger rows in the database')
    .action(async (opts: { keep?: boolean }) =>
      finish(await (await import('../app/drill.ts')).drillApp({ ...globals(), keep: opts.keep ?? false }, out)),
    );

  program
    .command('demo')
    .description(
      'start the demo stack, run the gate and two chaos experiments against it (or, with --drill, the DR drill), write the report, stop the stack',
    )
    .option('--drill', 'run the config’s DR drill plan on the demo stack instead')
    .option(
      '--docker',
      'PostgreSQL and Redis as containers (a Docker engine, images never pulled) instead of Debian’s servers; no Patroni cluster, so no DB failover',
    )
    .option('--postgres-image <ref>', 'with --docker: the PostgreSQL image', 'postgres:17')
    .option('--redis-image <ref>', 'with --docker: the Redis image', 'redis:7')
    .action(async (opts: { drill?: boolean; docker?: boolean; postgresImage: string; redisImage: string }) =>
      finish(
        await (
          await import('../app/demo.ts')
        ).demoApp(
          {
            ...globals(),
            drill: opts.drill ?? false,
            ...(opts.docker ? { docker: { postgresImage: opts.postgresImage, redisImage: opts.redisImage } } : {}),
          },
          out,
        ),
      ),
    );

  program
    .command('validate')
    .argument('[files...]', 'load profiles or chaos experiments to check as well')
    .option('--engine <name>', 'the load engine the run would use (k6: its binary must be present)')
    .description(
      'check everything a run would touch before any side effect: config, environment, suites, gate profile, drill experiments, engine; every problem at once (exit 2)',
    )
    .action(async (files: string[], opts: { engine?: string }) => {
      const { validateApp } = await import('../app/validate.ts');
      const { summary } = await validateApp(
        { ...globals(), ...(opts.engine ? { engine: opts.engine } : {}) },
        out,
        files,
      );
      out.print(summary);
    });

  program
    .command('init')
    .description(
      'write a config, a smoke suite, a gate profile and the CI file: a project that validates and runs (--base-url and --env name its environment)',
    )
    .option('--openapi <file|url>', 'an OpenAPI document: a smoke check per GET path with its documented status')
    .option('--ci <platform>', 'github, gitlab or none (default: found from .github/ or .gitlab-ci.yml)')
    .option('--force', 'overwrite files that exist')
    .action(async (opts: { openapi?: string; ci?: string; force?: boolean }) => {
      const { initApp, askInit } = await import('../app/init.ts');
      const g = globals();
      let o: InitOptions = { ...opts, baseUrl: g.baseUrl, env: g.env };
      // On a terminal (and not in CI) what the flags left open is asked; a pipeline is asked nothing.
      if (process.stdin.isTTY && process.stdout.isTTY && !process.env.CI) {
        const { createInterface } = await import('node:readline/promises');
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        // Lines from an iterator, not rl.question: answers typed (or pasted) ahead are kept, not dropped.
        const lines = rl[Symbol.asyncIterator]();
        try {
          o = await askInit(o, out.cwd, async (q, fallback) => {
            rl.setPrompt(`${q}${fallback ? ` [${fallback}]` : ''}: `);
            rl.prompt();
            const line = await lines.next();
            if (line.done)
              throw new GauntletError(ExitCode.badConfig, 'init: the input ended before every answer: nothing written');
            return line.value.trim() || fallback;
          });
        } finally {
          rl.close();
        }
      }
      for (const line of await initApp(o, out)) out.print(line);
    });

  program
    .command('report <run.json>')
    .description('re-render the HTML, JUnit and Markdown reports from a run record')
    .action(async (file: string) => {
      const path = resolve(out.cwd, file);
      const { readRunRecord } = await import('../record/read.ts');
      const record = readRunRecord(path, file, 'report');
      const root = globals().out ? resolve(out.cwd, globals().out!) : dirname(dirname(path));
      const { publish } = await import('../report/publish.ts');
      const published = publish(record, root, { env: {} });
      out.print(`report: ${join(published.dir, 'index.html')}`);
    });

  program
    .command('shard', { hidden: true })
    .description('one shard of a distributed load, inside a pod of the Job --engine kubernetes creates')
    .action(async () => {
      const { shardMain } = await import('../app/shard.ts');
      exitCode = await shardMain(process.env);
    });

  program
    .command('schema')
    .description('write the JSON Schemas of the config, suites and run record')
    .addOption(new Option('--out <dir>', 'folder to write to (default schema/)'))
    .action(async (opts: { out?: string }) => {
      const { jsonSchemas } = await import('../config/json-schema.ts');
      // The program's own --out (the reports root) takes the flag wherever it is written.
      const dir = resolve(out.cwd, opts.out ?? (program.opts() as { out?: string }).out ?? 'schema');
      mkdirSync(dir, { recursive: true });
      for (const [name, schema] of Object.entries(jsonSchemas()))
        writeFileSync(join(dir, name), `${JSON.stringify(schema, null, 2)}\n`);
      out.print(`wrote ${Object.keys(jsonSchemas()).length} schemas to ${dir}`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : ExitCode.badConfig;
    }
    if (e instanceof GauntletError) {
      err(`error: ${e.message}`);
      for (const d of e.details) err(`  ${d}`);
      return e.exitCode;
    }
    err(`internal error: ${describeError(e)}`);
    if (out.verbose && e instanceof Error) err(e.stack ?? '');
    return ExitCode.couldNotRun;
  }
  return exitCode;
}

/** On a TTY the progress line is redrawn in place; in CI logs one plain line every 5 s. */
function progressWriter(): (line: string | undefined) => void {
  const tty = process.stdout.isTTY === true;
  let last = 0;
  let drawn = false;
  return (line) => {
    if (line === undefined) {
      if (drawn && tty) process.stdout.write('\n');
      drawn = false;
      return;
    }
    if (tty) {
      process.stdout.write(`\r\x1b[2K${line}`);
      drawn = true;
    } else if (Date.now() - last >= 5000) {
      last = Date.now();
      process.stdout.write(`${line.trim()}\n`);
    }
  };
}

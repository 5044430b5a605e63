// backup-restore: the DR plan's "we can restore from backup" made evidence. Take a fresh backup
// (pg_dump, in one snapshot with the source's row counts and checksums) or find the newest one
// (what the backup job left, or a pgBackRest / WAL-G fetch command), restore it into a scratch
// PostgreSQL started from the local binaries, verify the copy (row counts, checksums, canary
// queries, the write probe's newest row), and time it: scratch up → restored → verified is the
// restore RTO. When the source's PostgreSQL major is not the local binaries', the scratch instance
// (and pg_dump, pg_restore, psql) is a container of that major through Docker (testcontainers).
// The scratch instance is removed whatever happened.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readSync, closeSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import type pg from 'pg';
import type { FaultSpec } from '../../../config/experiment.ts';
import { cannotRun } from '../../../core/errors.ts';
import { formatMs } from '../../../core/duration.ts';
import type { RestoreRecord } from '../../../record/schema.ts';
import { pgBinDir, startPostgres, type LocalPostgres } from '../../../targets/local/postgres.ts';
import { onOwnerDeath, shellWord, stopPidsScript, type DeadManSwitch } from '../../../targets/local/deadman.ts';
import { tempDir } from '../../../targets/local/process.ts';
import { withPg } from '../../../targets/pg.ts';
import type { Fault, FaultContext, FaultEvent, FaultOutcome } from '../fault.ts';
import type { ScratchContainer } from '../../../targets/docker-postgres.ts';
import { chooseScratch, imageFor, wantsContainer, type ScratchChoice, type ScratchFacts } from './scratch.ts';
import { sameValue, shown } from './backup-restore-verify.ts';

type Spec = Extract<FaultSpec, { kind: 'backup-restore' }>;

/** A libpq URL without its password, and the password for PGPASSWORD: never on a command line. */
function split(url: string): { url: string; password: string | undefined; redacted: string } {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = '';
  return { url: u.toString(), password, redacted: u.toString() };
}

function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs: number; signal: AbortSignal },
): Promise<{ stdout: string }> {
  return new Promise((res, rej) => {
    execFile(
      cmd,
      args,
      {
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs,
        signal: opts.signal,
        maxBuffer: 16 << 20,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (!err) return res({ stdout });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        const why = e.killed
          ? `timed out after ${formatMs(opts.timeoutMs)}`
          : e.code === 'ENOENT'
            ? `${cmd} is not installed`
            : `exit ${e.code ?? '?'}`;
        const tail = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' / ');
        rej(new Error(`${basename(cmd)} failed (${why})${tail ? `: ${tail}` : ''}`));
      },
    );
  });
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

const checksumSql = (table: string) =>
  `select count(*)::bigint::text as n, coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') as sum from ${table} t`;

async function tableFigures(c: pg.Client, table: string): Promise<{ rows: number; checksum: string }> {
  const r = (await c.query<{ n: string; sum: string }>(checksumSql(table))).rows[0]!;
  return { rows: Number(r.n), checksum: r.sum };
}

/**
 * Every user table of a database, as a name the checksum query can use (schema-qualified outside
 * public): ordinary and partitioned tables (a partition's rows are its parent's), not the
 * system's, not an extension's own.
 */
const USER_TABLES_SQL = `select case when n.nspname = 'public' then quote_ident(c.relname)
  else quote_ident(n.nspname) || '.' || quote_ident(c.relname) end as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and not c.relispartition
    and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_toast%'
    and n.nspname not like 'pg\\_temp%'
    and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
  order by 1`;

async function userTables(c: pg.Client): Promise<string[]> {
  return (await c.query<{ name: string }>(USER_TABLES_SQL)).rows.map((r) => r.name);
}

/** Custom-format dumps start with PGDMP; anything else is restored as SQL. */
function isCustomFormat(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(5);
    readSync(fd, b, 0, 5, 0);
    return b.toString('latin1') === 'PGDMP';
  } finally {
    closeSync(fd);
  }
}

function newestBackup(dir: string, pattern: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return readdirSync(dir)
    .filter((f) => re.test(f))
    .map((f) => ({ f: join(dir, f), m: statSync(join(dir, f)).mtimeMs }))
    .filter((x) => statSync(x.f).isFile())
    .sort((a, b) => b.m - a.m)[0]?.f;
}

/** The local binaries' major (their folder, /usr/lib/postgresql/<major>/bin); undefined when there are none. */
function localMajor(): number | undefined {
  try {
    return Number(/\/(\d+)\/bin$/.exec(pgBinDir())?.[1]) || undefined;
  } catch {
    return undefined;
  }
}

/** The source's major from the environment's database; undefined when it has none or it does not answer. */
async function sourceMajorOf(url: string | undefined, signal: AbortSignal): Promise<number | undefined> {
  if (!url) return undefined;
  try {
    return await withPg(
      { connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'gauntlet-backup' },
      async (c) =>
        Math.floor(
          Number((await c.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0]!.v) /
            10_000,
        ),
      { signal },
    );
  } catch {
    return undefined;
  }
}

/** A command's output within the timeout, or its failure; the container is stopped on the way out either way. */
function within<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`${what} timed out after ${formatMs(timeoutMs)}`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function backupRestoreFault(spec: Spec): Fault {
  let choice: ScratchChoice | undefined;
  let container: ScratchContainer | undefined;
  let scratch: LocalPostgres | undefined;
  let work: string | undefined;
  let outcome: FaultOutcome | undefined;
  const bin = (name: string) => join(pgBinDir(), name);

  // Should Gauntlet be killed outright mid-restore, the scratch instance and files go anyway.
  let deadman: DeadManSwitch | undefined;
  const armCleanup = () => {
    deadman?.disarm();
    const lines: string[] = [];
    if (scratch) {
      // SIGINT, PostgreSQL's fast shutdown; the folder goes once the postmaster has.
      lines.push(stopPidsScript([scratch.pid], 'INT', 10, false));
      lines.push(`rm -rf ${shellWord(dirname(scratch.dataDir))}`);
    }
    if (work) lines.push(`rm -rf ${shellWord(work)}`);
    deadman = onOwnerDeath(lines.join('\n'));
  };

  const cleanup = async (): Promise<string[]> => {
    deadman?.disarm();
    deadman = undefined;
    const done: string[] = [];
    if (container) {
      const c = container;
      container = undefined;
      await c.stop();
      done.push(`scratch container ${c.containerId.slice(0, 12)} (${c.image}) stopped and removed`);
    }
    if (scratch) {
      const port = scratch.port;
      await scratch.stop();
      scratch = undefined;
      done.push(`scratch PostgreSQL on 127.0.0.1:${port} stopped and removed`);
    }
    if (work) {
      rmSync(work, { recursive: true, force: true });
      work = undefined;
      done.push('temporary backup files removed');
    }
    return done;
  };

  return {
    label: `backup-restore (${spec.backup.method})`,
    async preflight(ctx) {
      // Where the copy goes, decided before anything happens: a major the local binaries cannot
      // read, without Docker or its image, is said now, not after a dump.
      const facts = {
        use: spec.container.use,
        imageTemplate: spec.container.image,
        sourceMajor: await sourceMajorOf(ctx.env.postgres?.url, ctx.signal),
        localMajor: localMajor(),
      };
      let docker: ScratchFacts['docker'];
      if (wantsContainer(facts)) {
        const { dockerEngine, localImageId } = await import('../../../targets/docker.ts');
        const engine = await dockerEngine();
        const image = imageFor(facts.imageTemplate, facts.sourceMajor);
        docker = engine.ok && image ? { ...engine, imageId: await localImageId(image) } : engine;
      }
      choice = chooseScratch({ ...facts, docker });
      if (choice.where === 'nowhere') throw cannotRun(`backup-restore: ${choice.why}`);
      if (spec.scratchPort !== undefined && !(await portFree(spec.scratchPort))) {
        throw cannotRun(
          `backup-restore: scratch port ${spec.scratchPort} is in use; pick another scratchPort or leave it out for a free one`,
        );
      }
      const source =
        spec.backup.method === 'pg_dump'
          ? (() => {
              if (!ctx.env.postgres?.url)
                throw cannotRun('backup-restore: pg_dump needs the environment’s postgres.url');
              return `pg_dump of ${split(ctx.env.postgres.url).redacted}`;
            })()
          : spec.backup.method === 'latest'
            ? `the newest ${spec.backup.pattern} in ${spec.backup.dir}`
            : `the backup written by ${spec.backup.command[0]}`;
      const into =
        choice.where === 'container'
          ? `a scratch container of ${choice.image} (PostgreSQL ${facts.sourceMajor ?? '?'}, through Docker)`
          : `a scratch PostgreSQL ${facts.localMajor} on 127.0.0.1:${spec.scratchPort ?? '(free port)'}${choice.note ? ` (${choice.note})` : ''}`;
      const tables =
        spec.tables.length > 0
          ? `${spec.tables.length} table checksum(s)`
          : spec.backup.method === 'pg_dump'
            ? "every table's row count and checksum against the source at the dump"
            : 'no table';
      const nothing =
        spec.tables.length === 0 && spec.verify.length === 0 && spec.backup.method !== 'pg_dump'
          ? ': nothing will verify the copy, so its verdict will be no-data (give tables: [{ name, rows }] or verify)'
          : '';
      // Said before anything is touched, not only in a dry run: the restore will run, and be no-data.
      if (nothing) ctx.say(`  backup-restore (${spec.backup.method})${nothing}`);
      return `${source} → ${into}, ${tables}, ${spec.verify.length} verification quer${spec.verify.length === 1 ? 'y' : 'ies'}${nothing}`;
    },

    async inject(ctx: FaultContext): Promise<FaultEvent[]> {
      const events: FaultEvent[] = [];
      const at = (what: string) => {
        events.push({ atMs: ctx.clock.now(), what });
        ctx.say(`    ${what}`);
      };
      const rec: RestoreRecord = { backup: { method: spec.backup.method }, tables: [], verification: [] };
      // Named tables; none named with a pg_dump is every user table of the source at the dump.
      let tableSpecs: Spec['tables'] = spec.tables;
      const everyTable = spec.tables.length === 0 && spec.backup.method === 'pg_dump';
      const timeoutMs = spec.timeout;
      const injectedWall = Date.now();
      let restoreStart: number | undefined;
      try {
        work = tempDir('gauntlet-restore-', 'postgres');
        armCleanup();
        const keepDir = spec.backup.method === 'pg_dump' && spec.backup.keep ? resolve(spec.backup.keep) : undefined;
        if (keepDir) mkdirSync(keepDir, { recursive: true });
        const latest =
          spec.backup.method === 'latest' ? newestBackup(resolve(spec.backup.dir), spec.backup.pattern) : undefined;
        // 0. A version-matched container holds the tools too (pg_dump must be the source's major):
        // it starts first, and its start counts in the restore RTO ("scratch up").
        let scratchUpMs = 0;
        const mounts = [
          { source: work, target: '/backup', mode: 'rw' as const },
          ...(keepDir ? [{ source: keepDir, target: '/keep', mode: 'rw' as const }] : []),
          ...(latest ? [{ source: dirname(latest), target: '/source', mode: 'ro' as const }] : []),
        ];
        if (choice?.where === 'container') {
          const t0 = ctx.clock.now();
          at(`restore: starting a scratch container of ${choice.image} (${choice.imageId.slice(0, 19)})`);
          const { startPostgresContainer } = await import('../../../targets/docker-postgres.ts');
          container = await startPostgresContainer({
            image: choice.image,
            imageId: choice.imageId,
            mounts,
            timeoutMs,
            ...(spec.scratchPort !== undefined ? { port: spec.scratchPort } : {}),
          });
          scratchUpMs = ctx.clock.now() - t0;
        }
        /** A host path as the tools see it: itself, or its place under the container's mounts. */
        const seen = (path: string) => {
          if (!container) return path;
          const m = mounts.find((x) => path === x.source || path.startsWith(`${x.source}/`));
          return m ? m.target + path.slice(m.source.length) : path;
        };
        const tool = async (name: 'pg_dump' | 'pg_restore' | 'psql', args: string[], env: Record<string, string>) => {
          if (container) await within(container.exec([name, ...args], env), timeoutMs, name);
          else await run(bin(name), args, { env, timeoutMs, signal: ctx.signal });
        };
        // 1. The backup.
        const b0 = ctx.clock.now();
        let file: string;
        const sourceFigures = new Map<string, { rows: number; checksum: string }>();
        if (spec.backup.method === 'pg_dump') {
          const src = split(ctx.env.postgres!.url);
          file = join(keepDir ?? work, `backup-${new Date().toISOString().replace(/[:.]/g, '-')}.dump`);
          at(`backup: pg_dump of ${src.redacted} started`);
          // One snapshot for the dump and the source figures: the copy must match them exactly.
          await withPg(
            {
              connectionString: ctx.env.postgres!.url,
              connectionTimeoutMillis: 10_000,
              application_name: 'gauntlet-backup',
            },
            async (c) => {
              await c.query('begin isolation level repeatable read read only');
              const snap = (await c.query<{ s: string }>('select pg_export_snapshot() as s')).rows[0]!.s;
              if (everyTable) tableSpecs = await userTables(c);
              for (const t of tableSpecs.map((x) => (typeof x === 'string' ? x : x.name))) {
                try {
                  sourceFigures.set(t, await tableFigures(c, t));
                } catch (err) {
                  throw new Error(`source table ${t}: ${(err as Error).message}`);
                }
              }
              await tool(
                'pg_dump',
                ['-Fc', '--no-owner', '--no-acl', `--snapshot=${snap}`, '-f', seen(file), src.url],
                src.password ? { PGPASSWORD: src.password } : {},
              );
              await c.query('commit');
            },
          );
          rec.backup.takenAt = new Date(injectedWall).toISOString();
        } else if (spec.backup.method === 'latest') {
          const found = latest;
          if (!found) throw new Error(`no backup found: nothing matches ${spec.backup.pattern} in ${spec.backup.dir}`);
          file = found;
          rec.backup.takenAt = new Date(statSync(found).mtimeMs).toISOString();
          at(`backup: the newest is ${found} (written ${rec.backup.takenAt})`);
        } else {
          file = join(work, 'backup.dump');
          const [cmd, ...args] = spec.backup.command.map((a) => a.replaceAll('{{file}}', file));
          at(`backup: ${cmd} started`);
          await run(cmd!, args, { timeoutMs, signal: ctx.signal });
          if (!existsSync(file)) throw new Error(`the backup command exited 0 but wrote no ${file}`);
          rec.backup.takenAt = new Date(statSync(file).mtimeMs).toISOString();
        }
        rec.backup.file = file;
        rec.backup.bytes = statSync(file).size;
        rec.backup.tookMs = ctx.clock.now() - b0;
        if (rec.backup.bytes === 0) throw new Error(`the backup ${file} is empty`);

        // 2. The scratch instance and the restore: the restore RTO runs from here.
        restoreStart = ctx.clock.now() - scratchUpMs;
        let superuserUrl: string;
        if (container) {
          superuserUrl = container.superuserUrl;
          await withPg({ connectionString: superuserUrl, connectionTimeoutMillis: 10_000 }, (c) =>
            c.query('create database app'),
          );
          rec.scratch = `${container.image} (${container.imageId.slice(0, 19)}) in a container through Docker, on 127.0.0.1:${container.port}`;
        } else {
          at('restore: starting a scratch PostgreSQL');
          scratch = await startPostgres(spec.scratchPort !== undefined ? { port: spec.scratchPort } : {});
          armCleanup();
          superuserUrl = scratch.superuserUrl;
          rec.scratch = `PostgreSQL ${localMajor() ?? ''} on 127.0.0.1:${scratch.port}${choice?.where === 'local' && choice.note ? ` (${choice.note})` : ''}`;
        }
        const target = new URL(superuserUrl);
        target.pathname = '/app';
        const dst = split(target.toString());
        const dstEnv = dst.password ? { PGPASSWORD: dst.password } : {};
        if (spec.restoreCommand) {
          const [cmd, ...args] = spec.restoreCommand.map((a) =>
            a.replaceAll('{{file}}', file).replaceAll('{{url}}', dst.url),
          );
          await run(cmd!, args, { env: dstEnv, timeoutMs, signal: ctx.signal });
        } else if (isCustomFormat(file)) {
          await tool('pg_restore', ['--no-owner', '--no-acl', '--exit-on-error', '-d', dst.url, seen(file)], dstEnv);
        } else {
          await tool('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dst.url, '-f', seen(file)], dstEnv);
        }
        at(`restore: ${basename(file)} (${rec.backup.bytes} bytes) restored into the scratch instance`);

        // 3. Verification on the copy.
        await withPg(
          {
            connectionString: target.toString(),
            connectionTimeoutMillis: 10_000,
            statement_timeout: Math.min(timeoutMs, 60_000),
          },
          async (c) => {
            for (const spec_ of tableSpecs) {
              const t = typeof spec_ === 'string' ? spec_ : spec_.name;
              const expectedRows = typeof spec_ === 'string' ? undefined : spec_.rows;
              const src = sourceFigures.get(t);
              try {
                const f = await tableFigures(c, t);
                // Compared with the source at the dump, else with the rows the experiment expects; never with nothing.
                const ok = src
                  ? src.rows === f.rows && src.checksum === f.checksum
                  : expectedRows !== undefined && f.rows === expectedRows;
                const detail = src
                  ? `the copy has ${f.rows} rows (checksum ${f.checksum.slice(0, 8)}), the source had ${src.rows} (checksum ${src.checksum.slice(0, 8)}) at the dump`
                  : expectedRows !== undefined
                    ? `the copy has ${f.rows} rows, ${expectedRows} expected`
                    : 'nothing to compare the copy with';
                rec.tables.push({
                  table: t,
                  rows: f.rows,
                  checksum: f.checksum,
                  comparedWith: src ? 'the source at the dump snapshot' : `${expectedRows} expected rows`,
                  ...(src
                    ? { sourceRows: src.rows, sourceChecksum: src.checksum }
                    : expectedRows !== undefined
                      ? { sourceRows: expectedRows }
                      : {}),
                  ok,
                  ...(ok ? {} : { detail }),
                });
              } catch (err) {
                rec.tables.push({ table: t, ok: false, detail: (err as Error).message });
              }
            }
            for (const v of spec.verify) {
              try {
                const r = await c.query({ text: v.sql, rowMode: 'array' });
                const first = r.rows[0] as unknown[] | undefined;
                if (!first) rec.verification.push({ name: v.name, ok: false, detail: 'returned no row' });
                else if (v.expect === undefined)
                  rec.verification.push({ name: v.name, ok: true, detail: `returned ${r.rows.length} row(s)` });
                else {
                  // Typed: numeric's "4999.00" is 4999, NULL is only null (backup-restore-verify.ts).
                  const type = r.fields[0]?.dataTypeID;
                  const ok = sameValue(first[0], type, v.expect);
                  rec.verification.push({
                    name: v.name,
                    ok,
                    detail: ok
                      ? `= ${shown(first[0], type)}`
                      : `expected ${shown(v.expect)}, got ${shown(first[0], type)}`,
                  });
                }
              } catch (err) {
                rec.verification.push({
                  name: v.name,
                  ok: false,
                  detail: `the query failed: ${(err as Error).message}`,
                });
              }
            }
            if (ctx.ledgerTable) {
              try {
                const r = await c.query<{ m: string | null }>(
                  `select max(seq)::text as m from ${ctx.ledgerTable} where run_id = $1`,
                  [ctx.runId],
                );
                if (r.rows[0]?.m) rec.newestLedgerSeq = Number(r.rows[0].m);
              } catch {
                // The ledger table is not in the copy: said by the RPO basis.
              }
            }
            if (spec.freshness) {
              try {
                const r = await c.query({ text: spec.freshness, rowMode: 'array' });
                const v = (r.rows[0] as unknown[] | undefined)?.[0];
                if (v instanceof Date) rec.newestDataAt = v.toISOString();
                else if (typeof v === 'string' && !Number.isNaN(Date.parse(v)))
                  rec.newestDataAt = new Date(v).toISOString();
                else
                  rec.verification.push({
                    name: 'freshness',
                    ok: false,
                    detail: `the freshness query returned ${String(v)}, not a timestamp`,
                  });
                if (rec.newestDataAt) {
                  rec.rpoMs = Math.max(0, injectedWall - Date.parse(rec.newestDataAt));
                  rec.rpoBasis = `newest data in the copy (${rec.newestDataAt}) against the fault (${new Date(injectedWall).toISOString()})`;
                }
              } catch (err) {
                rec.verification.push({
                  name: 'freshness',
                  ok: false,
                  detail: `the query failed: ${(err as Error).message}`,
                });
              }
            }
          },
        );
        rec.restoreTookMs = ctx.clock.now() - restoreStart;
        const bad = [
          ...rec.tables.filter((t) => !t.ok).map((t) => `table ${t.table}: ${t.detail}`),
          ...rec.verification.filter((v) => !v.ok).map((v) => `${v.name}: ${v.detail}`),
        ];
        if (bad.length) rec.failure = `the copy did not verify: ${bad.join('; ')}`;
        at(
          bad.length
            ? `verify: FAILED — ${bad.join('; ')}`
            : rec.tables.length + rec.verification.length === 0
              ? `verify: nothing verified the copy${everyTable ? ' (the source has no table)' : ''}`
              : `verify: ${rec.tables.length} table(s) and ${rec.verification.length} quer${rec.verification.length === 1 ? 'y' : 'ies'} passed`,
        );
      } catch (err) {
        rec.failure = (err as Error).message;
        at(`restore failed: ${rec.failure}`);
      } finally {
        for (const line of await cleanup()) at(line);
      }
      // A copy nothing verified is not a recovery: no RTO (an empty or schema-only dump restores fast).
      outcome = rec.failure
        ? { recovery: `the restore did not recover the data: ${rec.failure}`, restore: rec }
        : rec.tables.length + rec.verification.length === 0
          ? {
              recovery: `${basename(rec.backup.file ?? '')} restored in ${formatMs(rec.restoreTookMs ?? 0)}, but nothing verified the copy`,
              restore: rec,
            }
          : {
              rtoMs: rec.restoreTookMs!,
              recovery: `scratch up, ${basename(rec.backup.file ?? '')} restored and verified in ${formatMs(rec.restoreTookMs!)}`,
              restore: rec,
            };
      return events;
    },

    outcome: () => outcome,

    async rollback() {
      const done = await cleanup();
      return done.length ? done : ['nothing left behind: the scratch instance was removed after the restore'];
    },
  };
}

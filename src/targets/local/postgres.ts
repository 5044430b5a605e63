// A real PostgreSQL from Debian's packages on a free loopback port, in a temp dir, run as the
// postgres user (it refuses root). For the demo stack and the tests.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execSql } from '../pg.ts';
import { alive, freePort, startDaemon, stopPid, tempDir, waitForPort, readTail } from './process.ts';
import { sleep } from '../../core/sleep.ts';

export interface LocalPostgres {
  port: number;
  pid: number;
  dataDir: string;
  /** postgres://app:<password>@127.0.0.1:<port>/app */
  url: string;
  superuserUrl: string;
  stop(): Promise<void>;
}

export function pgBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
  return join(root, versions[0]!, 'bin');
}

export interface PostgresOptions {
  password?: string;
  /** Start as a standby (in recovery, read-only), e.g. to test role checks. */
  standby?: boolean;
  port?: number;
  settings?: Record<string, string>;
}

export async function startPostgres(opts: PostgresOptions = {}): Promise<LocalPostgres> {
  const bin = pgBinDir();
  const password = opts.password ?? `pw-${Math.random().toString(36).slice(2, 12)}`;
  const root = tempDir('gauntlet-pg-', 'postgres');
  const dataDir = join(root, 'data');
  const pwfile = join(root, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  execFileSync('chown', ['postgres:postgres', pwfile]);
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync('setpriv', ['--reuid', 'postgres', '--regid', 'postgres', '--init-groups', join(bin, cmd), ...args], {
      stdio: 'pipe',
    });
  asPostgres('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--pwfile',
    pwfile,
    '-A',
    'scram-sha-256',
    '--no-sync',
    '-E',
    'UTF8',
    '--locale',
    'C',
  ]);
  rmSync(pwfile);
  const port = opts.port ?? (await freePort());
  const settings: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    port: String(port),
    unix_socket_directories: `'${root}'`,
    fsync: 'off',
    shared_buffers: '32MB',
    ...opts.settings,
  };
  writeFileSync(
    join(dataDir, 'postgresql.auto.conf'),
    `${Object.entries(settings)
      .map(([k, v]) => `${k} = ${v}`)
      .join('\n')}\n`,
  );
  if (opts.standby) writeFileSync(join(dataDir, 'standby.signal'), '');
  execFileSync('chown', ['-R', 'postgres:postgres', dataDir]);
  const log = join(root, 'postgres.log');
  writeFileSync(log, '');
  execFileSync('chown', ['postgres:postgres', log]);
  const d = startDaemon(join(bin, 'postgres'), ['-D', dataDir], { user: 'postgres', log });
  try {
    await waitForPort(port, 15_000, `PostgreSQL on 127.0.0.1:${port}`, log);
  } catch (err) {
    await stopPid(d.pid, 'SIGQUIT');
    throw err;
  }
  const superuserUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  try {
    await waitUntilReady(superuserUrl, 20_000);
  } catch (err) {
    await stopPid(d.pid, 'SIGQUIT');
    throw new Error(
      `PostgreSQL on 127.0.0.1:${port} did not accept queries: ${(err as Error).message}; log: ${readTail(log)}`,
    );
  }
  const stop = async () => {
    // SIGINT is PostgreSQL's fast shutdown.
    await stopPid(d.pid, 'SIGINT', 10_000);
    if (!alive(d.pid)) rmSync(root, { recursive: true, force: true });
  };
  if (!opts.standby) {
    try {
      await execSql(superuserUrl, `create role app login password '${password.replace(/'/g, "''")}'`);
      await execSql(superuserUrl, 'create database app owner app');
    } catch (err) {
      await stop();
      throw err;
    }
  }
  return {
    port,
    pid: d.pid,
    dataDir,
    url: `postgres://app:${encodeURIComponent(password)}@127.0.0.1:${port}/app`,
    superuserUrl,
    stop,
  };
}

/** Listening is not ready: PostgreSQL answers 57P03 while it starts. Poll select 1. */
export async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await execSql({ connectionString: url, connectionTimeoutMillis: 2000 }, 'select 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

export { readTail };

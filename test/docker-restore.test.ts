// Backup restores into a version-matched container, with Debian's real Docker engine: the source
// is PostgreSQL 17 (an image built here from Debian trixie) while this machine's binaries are 15,
// so pg_dump 15 could not even read it. Gauntlet dumps and restores with 17's tools in a scratch
// container of 17 (testcontainers), verifies the copy, and removes the container — also when it is
// SIGKILLed mid-restore. Without the image, or without Docker, it says so before anything runs.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChaosResult } from '../src/record/schema.ts';
import { freePort } from '../src/targets/local/process.ts';
import { waitUntilReady } from '../src/targets/local/postgres.ts';
import { execSql } from '../src/targets/pg.ts';
import { localMajorForTests } from './fixtures/pg-version.ts';
import { startDockerd, type Dockerd } from './fixtures/dockerd.ts';
import { BIN, gauntlet, hasNoStackTrace, latestReport, project } from './helpers.ts';
import { sleep } from '../src/core/sleep.ts';

let dockerd: Dockerd;
let sourceUrl: string;
let sourceId: string;
beforeAll(async () => {
  dockerd = await startDockerd();
  await dockerd.load('postgres-17.tar');
  const port = await freePort();
  sourceId = (
    await dockerd.docker([
      'run',
      '-d',
      '--network',
      'host',
      '-e',
      'POSTGRES_PASSWORD=source-pw',
      'gauntlet.local/postgres:17',
      '-c',
      `port=${port}`,
      '-c',
      'listen_addresses=127.0.0.1',
    ])
  ).trim();
  sourceUrl = `postgres://postgres:source-pw@127.0.0.1:${port}/postgres`;
  await waitUntilReady(sourceUrl, 60_000);
  await execSql(
    sourceUrl,
    'create table orders (id serial primary key, total int not null); insert into orders (total) select g from generate_series(1, 2000) g; insert into orders (total) values (424242)',
  );
}, 180_000);
afterAll(async () => {
  await dockerd?.stop();
}, 60_000);

const files = (container: string) => ({
  'gauntlet.config.yaml': `environments:
  local:
    baseUrl: http://127.0.0.1:9
    postgres: { url: "\${env:DB_URL}" }
`,
  'restore.yaml': `name: restore 17
probes:
  - { kind: db-write, name: writes, interval: 100ms }
method:
  - fault: { kind: backup-restore, tables: [orders], verify: [{ name: canary, sql: "select total from orders where total = 424242", expect: 424242 }], container: ${container} }
    at: 200ms
duration: 1500ms
slos: { rto: "<120s" }
`,
});
const env = (dockerHost: string) => ({ DB_URL: sourceUrl, DOCKER_HOST: dockerHost });
const chaosOf = (dir: string) => (latestReport(dir).record as unknown as { chaos: ChaosResult[] }).chaos;

describe('backup-restore into a version-matched container', () => {
  it('a PostgreSQL 17 source on a runner with 15: dumped and restored with 17 in a container, verified, the container removed', async () => {
    expect(localMajorForTests()).toBe(15);
    const dir = project(files('{ image: "gauntlet.local/postgres:{major}" }'));
    const run = await gauntlet(['chaos', 'restore.yaml'], { cwd: dir, env: env(dockerd.host), timeoutMs: 180_000 });
    expect(run.code, run.out).toBe(0);
    const f = chaosOf(dir)[0]!.faults[0]!;
    const rs = f.restore!;
    expect(rs.failure, run.out).toBeUndefined();
    expect(rs.scratch).toMatch(
      /^gauntlet\.local\/postgres:17 \(sha256:[0-9a-f]{12}\) in a container through Docker, on 127\.0\.0\.1:\d+$/,
    );
    expect(rs.tables[0]).toMatchObject({ table: 'orders', rows: 2001, ok: true });
    expect(rs.tables[0]!.checksum).toBe(rs.tables[0]!.sourceChecksum);
    expect(rs.verification).toEqual([{ name: 'canary', ok: true, detail: '= 424242' }]);
    // The restore RTO runs from the container's start: scratch up → restored → verified.
    expect(f.rtoMs).toBe(rs.restoreTookMs);
    expect(run.out).toMatch(/scratch container [0-9a-f]{12} \(gauntlet\.local\/postgres:17\) stopped and removed/);
    expect(await dockerd.containers()).toEqual([sourceId.slice(0, 12)]);
  }, 200_000);

  it('the image is not in the engine: one line naming the engine and the image, before any dump (exit 3)', async () => {
    const dir = project(files('{ image: "gauntlet.local/nope:{major}" }'));
    const run = await gauntlet(['chaos', 'restore.yaml'], { cwd: dir, env: env(dockerd.host), timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(3);
    expect(run.out).toContain(
      `backup-restore: the source is PostgreSQL 17, this machine's binaries are PostgreSQL 15, and the Docker engine at ${dockerd.host}`,
    );
    expect(run.out).toMatch(/has no image gauntlet\.local\/nope:17 \(Gauntlet never pulls: build or pull it\)/);
    expect(hasNoStackTrace(run.out)).toBe(true);
    expect(await dockerd.containers()).toEqual([sourceId.slice(0, 12)]);
  }, 90_000);

  it('no Docker engine answers: one line saying so, never a hang (exit 3)', async () => {
    const dir = project(files('{ image: "gauntlet.local/postgres:{major}" }'));
    const run = await gauntlet(['chaos', 'restore.yaml'], {
      cwd: dir,
      env: env('unix:///nonexistent/docker.sock'),
      timeoutMs: 60_000,
    });
    expect(run.code, run.out).toBe(3);
    expect(run.out).toMatch(
      /backup-restore: the source is PostgreSQL 17, this machine's binaries are PostgreSQL 15, and no Docker engine answered \(.+\)/,
    );
    expect(hasNoStackTrace(run.out)).toBe(true);
  }, 90_000);

  it('Gauntlet SIGKILLed mid-restore: its dead man’s switch removes the scratch container', async () => {
    const dir = project(files('{ image: "gauntlet.local/postgres:{major}" }'));
    const child = spawn(process.execPath, [BIN, 'chaos', 'restore.yaml'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env(dockerd.host) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const killed = new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (/backup: pg_dump of .* started/.test(out) && child.exitCode === null) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    await killed;
    expect(out).toMatch(/restore: starting a scratch container of gauntlet\.local\/postgres:17/);
    expect(child.signalCode ?? (await new Promise((r) => child.once('exit', (_c, s) => r(s))))).toBe('SIGKILL');
    const deadline = Date.now() + 30_000;
    while ((await dockerd.containers()).length > 1 && Date.now() < deadline) await sleep(250);
    expect(await dockerd.containers()).toEqual([sourceId.slice(0, 12)]);
  }, 120_000);
});

// postgres and redis checks against the real servers from Debian's packages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type LocalPostgres } from '../src/targets/local/postgres.ts';
import { execSql, withPg } from '../src/targets/pg.ts';
import { startRedis, type LocalRedis } from '../src/targets/local/redis.ts';
import { gauntlet, latestReport, project, hasNoStackTrace } from './helpers.ts';

let primary: LocalPostgres;
let standby: LocalPostgres;
let redis: LocalRedis;

beforeAll(async () => {
  const started = await Promise.allSettled([startPostgres(), startPostgres({ standby: true }), startRedis()]);
  for (const s of started)
    if (s.status === 'rejected') {
      await Promise.all(started.map((x) => (x.status === 'fulfilled' ? x.value.stop() : undefined)));
      throw s.reason;
    }
  primary = (started[0] as PromiseFulfilledResult<LocalPostgres>).value;
  standby = (started[1] as PromiseFulfilledResult<LocalPostgres>).value;
  redis = (started[2] as PromiseFulfilledResult<LocalRedis>).value;
  await execSql(
    primary.url,
    `create table schema_migrations (version int primary key); insert into schema_migrations values (1), (2), (3);`,
  );
}, 60_000);
afterAll(async () => {
  await Promise.all([primary?.stop(), standby?.stop(), redis?.stop()]);
});

/** A project whose environment points at the servers; secrets come from env vars. */
function dataProject(checks: string, env: { pg?: string; replica?: string; redis?: string } = {}) {
  const dir = project({
    'gauntlet.config.yaml': `environments:
  test:
    baseUrl: http://127.0.0.1:1
    postgres: { url: "\${env:DB_URL}", replicaUrl: "\${env:DB_REPLICA_URL}" }
    redis: { url: "\${env:REDIS_URL}" }
smoke: ["smoke/*.smoke.yaml"]
`,
    'smoke/data.smoke.yaml': `name: data\nchecks:\n${checks}`,
  });
  return {
    dir,
    env: {
      DB_URL: env.pg ?? primary.url,
      DB_REPLICA_URL: env.replica ?? standby.superuserUrl,
      REDIS_URL: env.redis ?? redis.url,
    },
  };
}

/** Smoke runs that target only databases skip the HTTP reachability check. */
async function smoke(checks: string, env?: Parameters<typeof dataProject>[1]) {
  const { dir, env: vars } = dataProject(checks, env);
  const run = await gauntlet(['smoke'], { cwd: dir, env: vars });
  return { run, dir, record: latestReport(dir).record, html: latestReport(dir).html };
}

describe('postgres check', () => {
  it('passes against a real primary: role, round trip, migrations, rows, connections', async () => {
    const { run, record } = await smoke(`  - kind: postgres
    name: primary
    expect: { role: primary, maxRoundTrip: 500ms, maxConnections: 40 }
    queries:
      - { name: latest migration, sql: "select max(version) from schema_migrations", expect: { value: { equals: 3 } } }
      - { sql: "select version from schema_migrations order by version", expect: { rowCount: 3, rows: [{ version: 1 }, { version: 2 }, { version: 3 }] } }
`);
    expect(run.code, run.out).toBe(0);
    expect((record.checks[0] as { detail?: string }).detail).toMatch(/PostgreSQL 1\d.*primary/);
  });

  it('a broken migration version fails the check naming the query and the value', async () => {
    const { run } = await smoke(
      `  - { kind: postgres, name: migrations, queries: [{ name: latest migration, sql: "select max(version) from schema_migrations", expect: { value: { equals: 4 } } }] }\n`,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ data › migrations — expected latest migration value equals 4, got 3');
  });

  it('a primary URL that lands on a replica fails; the replica passes its role check', async () => {
    const { run } =
      await smoke(`  - { kind: postgres, name: meant for the primary, url: "\${env:DB_REPLICA_URL}", expect: { role: primary } }
  - { kind: postgres, name: replica, database: replica, expect: { role: replica } }
  - { kind: postgres, name: replica lag, database: replica, expect: { maxLagBytes: 0 } }
`);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ data › meant for the primary — expected server is the primary, got replica');
    expect(run.stdout).toContain('✓ data › replica (');
    // This standby has never received WAL from a primary: its lag is unknown, which is not a pass.
    expect(run.stdout).toContain('✗ data › replica lag — expected replay lag within 0 bytes, got unknown bytes');
  });

  it('replication lag asked of a primary is a failure, not a pass', async () => {
    const { run } = await smoke(`  - { kind: postgres, name: lag, expect: { maxReplicationLag: 1s } }\n`);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the server is a primary, not a replica');
  });

  it('a query that hangs is cancelled by the statement timeout, reported with its duration', async () => {
    const started = Date.now();
    const { run } = await smoke(
      `  - { kind: postgres, name: slow, statementTimeout: 500ms, queries: [{ name: sleepy, sql: "select pg_sleep(30)" }] }\n`,
    );
    expect(run.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.stdout).toMatch(
      /✗ data › slow — sleepy: cancelled by the statement timeout after 5\d\d ms \(limit 500 ms\)/,
    );
  });

  it('a wrong password and a database that is down each fail clearly, within their timeout', async () => {
    const wrong = new URL(primary.url);
    wrong.password = 'not-the-password';
    const { run } = await smoke(`  - { kind: postgres, name: auth }\n`, { pg: wrong.toString() });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /✗ data › auth — connect: password authentication failed for user "app" \(SQLSTATE 28P01\)/,
    );
    expect(run.out).not.toContain('not-the-password');
    const down = await smoke(`  - { kind: postgres, name: down, connectTimeout: 1s }\n`, {
      pg: 'postgres://app:x@127.0.0.1:9/app',
    });
    expect(down.run.stdout).toContain(
      '✗ data › down — connect: connection refused (ECONNREFUSED): is the database down?',
    );
    expect(hasNoStackTrace(down.run.out)).toBe(true);
  });

  it('leaves no connection behind', async () => {
    await smoke(
      `  - { kind: postgres, name: one }\n  - { kind: postgres, name: two, queries: [{ sql: "select 1/0" }] }\n`,
    );
    const left = await withPg(
      primary.superuserUrl,
      async (c) =>
        (
          await c.query<{ n: number }>(
            "select count(*)::int as n from pg_stat_activity where application_name = 'gauntlet-smoke'",
          )
        ).rows[0]!.n,
    );
    expect(left).toBe(0);
  });
});

describe('redis check', () => {
  it('passes: PING, SET/GET/DEL with TTL, role, memory bound', async () => {
    const { run, record } = await smoke(
      `  - { kind: redis, name: cache, expect: { role: master, maxRoundTrip: 200ms, maxMemoryBytes: 268435456 } }\n`,
    );
    expect(run.code, run.out).toBe(0);
    expect((record.checks[0] as { detail?: string }).detail).toMatch(/PING PONG .* role master, used_memory/);
    expect(run.out + JSON.stringify(record)).not.toContain(decodeURIComponent(new URL(redis.url).password));
  });

  it('a role or memory bound that does not hold fails', async () => {
    const { run } = await smoke(`  - { kind: redis, name: cache, expect: { role: replica, maxMemoryBytes: 1000 } }\n`);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /✗ data › cache — expected role is replica, got master; expected used memory at most 1000 bytes, got \d+ bytes/,
    );
  });

  it('a stopped Redis and a wrong password fail clearly', async () => {
    const doomed = await startRedis();
    await doomed.stop();
    const { run } = await smoke(`  - { kind: redis, name: stopped, connectTimeout: 1s }\n`, { redis: doomed.url });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ data › stopped — connect: connection refused (ECONNREFUSED): is Redis down?');
    const wrong = new URL(redis.url);
    wrong.password = 'nope-nope';
    const auth = await smoke(`  - { kind: redis, name: auth }\n`, { redis: wrong.toString() });
    expect(auth.run.stdout).toMatch(/✗ data › auth — connect: WRONGPASS/);
  });
});

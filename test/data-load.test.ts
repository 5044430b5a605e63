// SQL statements and Redis commands in load profiles, against Debian's PostgreSQL and Redis:
// judged on their own metrics (db_query_duration, redis_cmd_duration) beside HTTP's, errors by
// class, a planted slow path failing its p99; statements and commands the servers would refuse
// are exit 2 before any load, and nothing is left connected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type LocalPostgres } from '../src/targets/local/postgres.ts';
import { startRedis, type LocalRedis } from '../src/targets/local/redis.ts';
import { execSql, withPg } from '../src/targets/pg.ts';
import type { LoadResult } from '../src/record/schema.ts';
import { fixedDelayServer, type Running } from './fixtures/servers.ts';
import { gauntlet, hasNoStackTrace, latestReport, project } from './helpers.ts';

let db: LocalPostgres;
let redis: LocalRedis;
let http: Running;
beforeAll(async () => {
  [db, redis, http] = await Promise.all([startPostgres(), startRedis(), fixedDelayServer(2)]);
  await execSql(
    db.url,
    `create table orders (id int primary key, total int not null);
     insert into orders select g, g * 10 from generate_series(1, 1000) g;
     create sequence calls;`,
  );
}, 60_000);
afterAll(async () => {
  await Promise.all([db?.stop(), redis?.stop(), http?.close()]);
});

const config = () => `environments:
  t:
    baseUrl: ${http.url}
    postgres: { url: "\${env:DB_URL}" }
    redis: { url: "\${env:REDIS_URL}" }
defaultEnvironment: t
`;
const urls = () => ({ DB_URL: db.url, REDIS_URL: redis.url });
const loadOf = (dir: string) => (latestReport(dir).record as unknown as { load: LoadResult }).load;
const verdict = (dir: string, id: string) => latestReport(dir).record.verdicts.find((v) => v.id === id);

/** Connections to the test database other than the asking one. */
async function connections(): Promise<number> {
  const r = await withPg(db.url, (c) =>
    c.query<{ n: string }>(
      "select count(*) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'",
    ),
  );
  return Number(r.rows[0]!.n);
}

describe('SQL and Redis requests in a load profile', () => {
  it('each judged on its own p95; a statement slowed in 2 % of calls fails its p99; errors by SQLSTATE class; nothing left connected', async () => {
    const before = await connections();
    const dir = project({
      'gauntlet.config.yaml': config(),
      'p.yaml': `name: mixed
scenario: { executor: constant-arrival-rate, rate: 150, duration: 6s, preAllocatedVUs: 20 }
requests:
  - { name: home, path: /, weight: 2 }
  - { name: orders, kind: postgres, sql: "select id, total from orders where id = $1", params: [42], weight: 2 }
  # Every 50th call sleeps 200 ms: exactly 2 % of this statement's calls.
  - { name: slow, kind: postgres, sql: "select pg_sleep(case when nextval('calls') % 50 = 0 then 0.2 else 0 end)", weight: 1 }
  - { name: broken, kind: postgres, sql: "select 1 / ($1::int - 1)", params: [1], weight: 0.2 }
  - { name: cached, kind: redis, command: [GET, "product:1"], weight: 2 }
thresholds:
  http_req_duration: ["p(95)<50"]
  http_req_failed: ["rate==0"]
  "db_query_duration{name:orders}": ["p(95)<50"]
  "db_query_duration{name:slow}": ["p(95)<50", "p(99)<100"]
  "db_query_failed{name:broken}": ["rate==1"]
  redis_cmd_duration: ["p(95)<50"]
  redis_cmd_failed: ["rate==0"]
`,
    });
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: urls(), timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(1);
    expect(verdict(dir, 'http_req_duration p(95)<50')!.status).toBe('pass');
    expect(verdict(dir, 'http_req_failed rate==0')!.status).toBe('pass');
    expect(verdict(dir, 'db_query_duration{name:orders} p(95)<50')!.status).toBe('pass');
    expect(verdict(dir, 'db_query_duration{name:slow} p(95)<50')!.status).toBe('pass');
    const p99 = verdict(dir, 'db_query_duration{name:slow} p(99)<100')!;
    expect(p99.status).toBe('fail');
    expect(Number(/p\(99\)=([\d.]+) ms/.exec(p99.observed!)![1])).toBeGreaterThanOrEqual(200);
    expect(verdict(dir, 'db_query_failed{name:broken} rate==1')!.status).toBe('pass');
    expect(verdict(dir, 'redis_cmd_duration p(95)<50')!.status).toBe('pass');
    expect(verdict(dir, 'redis_cmd_failed rate==0')!.status).toBe('pass');

    const load = loadOf(dir);
    expect(load.byName.home!.kind).toBeUndefined();
    expect(load.byName.orders).toMatchObject({ kind: 'postgres', method: 'SELECT' });
    expect(load.byName.cached).toMatchObject({ kind: 'redis', method: 'GET' });
    // The division by zero, by its SQLSTATE class (22: data exception), with PostgreSQL's message.
    expect(Object.keys(load.byName.broken!.totals.errors)).toEqual(['db_sqlstate_22']);
    expect(load.errorReasons!.db_sqlstate_22).toMatch(/division by zero/);
    // The HTTP metrics count HTTP requests only; every arrival was sent and judged somewhere.
    const sum = Object.values(load.byName).reduce((n, b) => n + b.totals.requests, 0);
    expect(sum + load.totals.droppedIterations).toBe(900);
    expect(load.totals.requests).toBe(sum);
    expect(load.byName.slow!.totals.requests).toBeGreaterThan(100);
    expect(latestReport(dir).html).toContain('db_query_duration{name:slow}');
    expect(await connections()).toBe(before);
  }, 90_000);

  it('a statement PostgreSQL refuses is exit 2 before any load, with its message and position', async () => {
    const dir = project({
      'gauntlet.config.yaml': config(),
      'p.yaml': `name: bad
scenario: { executor: constant-vus, vus: 1, duration: 2s }
requests:
  - { name: home, path: / }
  - { name: typo, kind: postgres, sql: "select total from ordrs where id = 1" }
`,
    });
    const run = await gauntlet(['load', 'p.yaml'], { cwd: dir, env: urls() });
    expect(run.code, run.out).toBe(2);
    expect(run.out).toContain(
      'request "typo": PostgreSQL refuses its SQL: relation "ordrs" does not exist at character 19: "ordrs where id = 1"',
    );
    expect(hasNoStackTrace(run.out)).toBe(true);
    expect(latestReport(dir).record.load).toBeUndefined();
  });

  it('a Redis command the server does not have, or a read its ACL refuses, is exit 2; a refused write is counted as redis_noperm', async () => {
    // A least-privilege user: GET on product:* only — it may not run COMMAND INFO or ACL DRYRUN.
    await execRedis(['ACL', 'SETUSER', 'reader', 'on', '>reader-pw', '~product:*', '+get']);
    const env = { ...urls(), READER_URL: asUser(redis.url, 'reader', 'reader-pw') };
    const profile = (requests: string) =>
      `name: acl\nscenario: { executor: constant-vus, vus: 1, duration: 1s }\nrequests:\n${requests}thresholds: { redis_cmd_failed: ["rate==0"] }\n`;
    const bad = project({
      'gauntlet.config.yaml': config(),
      'p.yaml': profile(`  - { name: nope, kind: redis, command: [GETT, a] }
  - { name: secret, kind: redis, command: [GET, "secret:1"], url: "\${env:READER_URL}" }
`),
    });
    const run = await gauntlet(['load', 'p.yaml'], { cwd: bad, env });
    expect(run.code, run.out).toBe(2);
    expect(run.out).toContain('request "nope": Redis has no command "GETT"');
    expect(run.out).toContain('request "secret": Redis refuses GET to user reader: NOPERM');
    expect(run.out).not.toContain('reader-pw');

    const writes = project({
      'gauntlet.config.yaml': config(),
      'p.yaml': profile(`  - { name: read, kind: redis, command: [GET, "product:1"], url: "\${env:READER_URL}" }
  - { name: write, kind: redis, command: [SET, "product:1", "x"], url: "\${env:READER_URL}" }
`),
    });
    const load = await gauntlet(['load', 'p.yaml'], { cwd: writes, env });
    expect(load.code, load.out).toBe(1);
    const byName = loadOf(writes).byName;
    expect(byName.read!.totals.failed).toBe(0);
    expect(byName.write!.totals.failed).toBe(byName.write!.totals.requests);
    expect(Object.keys(byName.write!.totals.errors)).toEqual(['redis_noperm']);
    expect(verdict(writes, 'redis_cmd_failed rate==0')!.status).toBe('fail');
  });

  it('no URL for a SQL request, or SQL on the k6 engine: exit 2 naming why', async () => {
    const noUrl = project({
      'gauntlet.config.yaml': `environments:\n  t: { baseUrl: "${http.url}" }\ndefaultEnvironment: t\n`,
      'p.yaml': `name: x\nscenario: { executor: constant-vus, vus: 1, duration: 1s }\nrequests: [{ name: q, kind: postgres, sql: "select 1" }]\n`,
    });
    const a = await gauntlet(['load', 'p.yaml'], { cwd: noUrl });
    expect(a.code, a.out).toBe(2);
    expect(a.out).toContain(
      'request "q" is a postgres statement but has no url and the environment has no postgres.url',
    );
    // validate says the same without touching anything.
    const v = await gauntlet(['validate', 'p.yaml', '--env', 't'], { cwd: noUrl });
    expect(v.code, v.out).toBe(2);
    expect(v.out).toContain('request "q" is a postgres statement but has no url');

    const dir = project({
      'gauntlet.config.yaml': config(),
      'p.yaml': `name: x\nscenario: { executor: constant-vus, vus: 1, duration: 1s }\nrequests: [{ name: q, kind: postgres, sql: "select 1" }]\n`,
    });
    const b = await gauntlet(['load', 'p.yaml', '--engine', 'k6'], { cwd: dir, env: urls() });
    expect(b.code, b.out).toBe(2);
    expect(b.out).toContain('SQL and Redis requests run on the embedded engine (or --engine kubernetes)');
  });
});

function asUser(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.href;
}

async function execRedis(args: string[]): Promise<void> {
  const { Redis } = await import('ioredis');
  const c = new Redis(redis.url);
  try {
    await c.call(args[0]!, ...args.slice(1));
  } finally {
    c.disconnect();
  }
}

describe('capacity of SQL- and Redis-only profiles (issue 30 item 7)', () => {
  // The base URL is nothing listening: a data profile never touches it.
  const dataConfig = () => config().replace(/baseUrl: .*/, 'baseUrl: http://127.0.0.1:9');
  const capacityOf = (dir: string) =>
    (latestReport(dir).record as unknown as { capacity: import('../src/record/schema.ts').CapacityResult }).capacity;

  it('a SQL-only profile finds its capacity: 5 connections × 20 ms statements take ~250/s, and the step that drops arrivals is the limit', async () => {
    const dir = project({
      'gauntlet.config.yaml': dataConfig(),
      'cap.yaml': `name: sqlcap
scenario: { executor: constant-arrival-rate, rate: 1, duration: 1s }
timeout: 2s
requests:
  - { name: slow, kind: postgres, sql: "select pg_sleep(0.02)" }
thresholds:
  db_query_duration: ["p(95)<200"]
capacity: { startRate: 50, maxRate: 1000, warmup: 0s, stepDuration: 2s, resolution: 0.5, preAllocatedVUs: 5, maxVUs: 5 }
`,
    });
    const run = await gauntlet(['capacity', 'cap.yaml'], { cwd: dir, env: urls(), timeoutMs: 90_000 });
    const cap = capacityOf(dir);
    expect(cap.steps[0]!.outcome, run.out).toBe('good');
    expect(cap.sustainableRps).toBeGreaterThanOrEqual(100);
    expect(cap.sustainableRps).toBeLessThanOrEqual(250);
    expect(cap.breaksAtRps).toBeLessThanOrEqual(400);
    expect(cap.limitedBy).toBe('dropped iterations');
    expect(cap.objectives).toEqual(['db_query_duration p(95)<200', 'db_query_failed rate<0.01 (default)']);
    const bad = cap.steps.find((s) => s.offeredRps === cap.breaksAtRps)!;
    expect(bad.why).toMatch(/^dropped_iterations \d+ of \d+$/);
    expect(run.code, run.out).toBe(0);
  }, 120_000);

  it('a Redis-only profile: every step judged on its answers, capacity up to maxRate', async () => {
    const dir = project({
      'gauntlet.config.yaml': dataConfig(),
      'cap.yaml': `name: rediscap
scenario: { executor: constant-arrival-rate, rate: 1, duration: 1s }
requests:
  - { name: get, kind: redis, command: [GET, k] }
thresholds:
  redis_cmd_duration: ["p(95)<100"]
capacity: { startRate: 50, maxRate: 100, warmup: 0s, stepDuration: 1s }
`,
    });
    const run = await gauntlet(['capacity', 'cap.yaml'], { cwd: dir, env: urls(), timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(0);
    const cap = capacityOf(dir);
    expect(cap.steps.map((s) => s.outcome)).toEqual(['good', 'good']);
    expect(cap.sustainableRps).toBe(100);
    expect(cap.limitedBy).toBe('max rate');
  }, 90_000);
});

// A gate before the deploy, on an image: the environment names the image under test, Gauntlet
// starts it with Debian's real Docker engine (testcontainers, host networking), runs the gate
// against it, names the image id in the record, and removes it. An image that exits fails the
// gate with its output in the report; an image the engine lacks is one line (exit 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/record/schema.ts';
import { freePort } from '../src/targets/local/process.ts';
import { startDockerd, type Dockerd } from './fixtures/dockerd.ts';
import { join } from 'node:path';
import { ROOT, allArtifactText, gauntlet, hasNoStackTrace, latestReport, project } from './helpers.ts';

let dockerd: Dockerd;
beforeAll(async () => {
  dockerd = await startDockerd();
  // The test workload of the Kubernetes tests: a small Go HTTP service listening on $PORT; the
  // demo API as an image, with PostgreSQL 17 and Redis images for what it needs.
  for (const a of ['app.tar', 'demo-api.tar', 'postgres-17.tar', 'redis-7.tar']) await dockerd.load(a);
}, 180_000);
afterAll(async () => {
  await dockerd?.stop();
}, 60_000);

const files = (port: number, container: string) => ({
  'gauntlet.config.yaml': `environments:
  pre-deploy:
    baseUrl: http://127.0.0.1:${port}
    container: ${container}
smoke: ['smoke/*.smoke.yaml']
`,
  'smoke/api.smoke.yaml': `name: api
checks:
  - { kind: http, name: home, path: /, expect: { status: 200 } }
  - { kind: http, name: health, path: /health, expect: { status: 200 } }
`,
});
const record = (dir: string) => latestReport(dir).record as unknown as RunRecord;

describe('a gate on an image under test', () => {
  it('starts the image, passes the gate against it, names its id, and removes it', async () => {
    const port = await freePort();
    const dir = project(
      files(
        port,
        `{ image: "gauntlet.local/app:1", env: { PORT: "${port}", POD_NAME: gate }, waitFor: { path: /health, timeout: 30s } }`,
      ),
    );
    const run = await gauntlet(['gate'], { cwd: dir, env: { DOCKER_HOST: dockerd.host }, timeoutMs: 90_000 });
    expect(run.code, run.out).toBe(0);
    const r = record(dir);
    expect(r.environment.container).toEqual({
      image: 'gauntlet.local/app:1',
      imageId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    const v = r.verdicts.find((x) => x.id === 'container')!;
    expect(v.status).toBe('pass');
    expect(v.observed).toMatch(/^gauntlet\.local\/app:1 \(sha256:[0-9a-f]{12}\) answered in /);
    expect(r.checks?.filter((c) => c.status === 'passed').length).toBe(2);
    expect(run.out).toMatch(/container: gauntlet\.local\/app:1 stopped and removed/);
    expect(await dockerd.containers()).toEqual([]);
  }, 120_000);

  it('an image that exits fails the gate with its own output in the report', async () => {
    const port = await freePort();
    const dir = project(
      files(port, `{ image: "gauntlet.local/app:1", env: { PORT: "not-a-port" }, waitFor: { timeout: 20s } }`),
    );
    const run = await gauntlet(['gate'], { cwd: dir, env: { DOCKER_HOST: dockerd.host }, timeoutMs: 90_000 });
    expect(run.code, run.out).toBe(1);
    const v = record(dir).verdicts.find((x) => x.id === 'container')!;
    expect(v.status).toBe('fail');
    expect(v.observed).toMatch(/^the container exited with code \d+ before answering http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(v.detail).toMatch(/^its last output: .*not-a-port/s);
    expect(latestReport(dir).html).toContain('not-a-port');
    expect(await dockerd.containers()).toEqual([]);
  }, 120_000);

  it('an image the engine lacks is one line, exit 3, nothing started', async () => {
    const port = await freePort();
    const dir = project(files(port, '{ image: "gauntlet.local/nope:1" }'));
    const run = await gauntlet(['gate'], { cwd: dir, env: { DOCKER_HOST: dockerd.host }, timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(3);
    expect(run.out).toContain(
      'container: gauntlet.local/nope:1: not in the Docker engine (Gauntlet never pulls: build or pull it)',
    );
    expect(hasNoStackTrace(run.out)).toBe(true);
  }, 90_000);

  it('the demo API image with its own PostgreSQL and Redis containers: the gate passes against all three, then all three are removed', async () => {
    const port = await freePort();
    const dir = project({
      'gauntlet.config.yaml': `environments:
  pre-deploy:
    baseUrl: http://127.0.0.1:${port}
    container:
      image: gauntlet.local/demo-api:1
      env: { PORT: "${port}", DEMO_PASSWORD: "\${env:DEMO_PASSWORD}", WORKERS: "1" }
      waitFor: { path: /health, timeout: 60s }
      postgres: { image: "gauntlet.local/postgres:17" }
      redis: { image: "gauntlet.local/redis:7" }
smoke: ['smoke/*.smoke.yaml']
`,
      'smoke/api.smoke.yaml': `name: api
checks:
  - { kind: http, name: health, path: /health, expect: { status: 200 } }
  - { kind: http, name: login, method: POST, path: /login, json: { username: demo, password: "\${env:DEMO_PASSWORD}" }, expect: { status: 200 } }
  - { kind: http, name: catalog from its database through its cache, path: /api/catalog, expect: { status: 200, headers: { x-cache: { matches: "^(hit|miss)$" } } } }
  - { kind: postgres, name: its database, queries: [{ sql: "select count(*)::int from items", expect: { value: { greaterThan: 0 } } }, { sql: "select current_setting('server_version_num')::int / 10000", expect: { value: { equals: 17 } } }] }
  - { kind: redis, name: its redis }
`,
    });
    const run = await gauntlet(['gate'], {
      cwd: dir,
      env: { DOCKER_HOST: dockerd.host, DEMO_PASSWORD: 'image-demo-pass-4d1e' },
      timeoutMs: 150_000,
    });
    expect(run.code, run.out).toBe(0);
    const r = record(dir);
    expect(r.checks?.map((c) => `${c.name}: ${c.status}`)).toEqual([
      'health: passed',
      'login: passed',
      'catalog from its database through its cache: passed',
      'its database: passed',
      'its redis: passed',
    ]);
    expect(r.environment.container?.image).toBe('gauntlet.local/demo-api:1');
    expect(run.out).toMatch(/container: starting gauntlet\.local\/postgres:17 for it \(its DATABASE_URL\)/);
    for (const image of ['demo-api:1', 'postgres:17', 'redis:7'])
      expect(run.out).toContain(`container: gauntlet.local/${image} stopped and removed`);
    // The servers' generated passwords never reach the console or a report.
    const text = run.out + allArtifactText(dir);
    expect(text).not.toMatch(/(postgres|redis):\/\/[^@\s]*:(?!\[redacted\])[^@\s]+@/);
    expect(text).not.toContain('image-demo-pass-4d1e');
    expect(await dockerd.containers()).toEqual([]);
  }, 180_000);
});

describe('gauntlet demo --docker', () => {
  it('the demo with PostgreSQL and Redis in containers: the gate and the worker kill pass, the failover is said not to run, nothing left', async () => {
    const out = project({});
    const run = await gauntlet(
      [
        'demo',
        '--docker',
        '--postgres-image',
        'gauntlet.local/postgres:17',
        '--redis-image',
        'gauntlet.local/redis:7',
        '--out',
        join(out, 'reports'),
      ],
      { cwd: ROOT, env: { DOCKER_HOST: dockerd.host }, timeoutMs: 240_000 },
    );
    expect(run.code, run.out).toBe(0);
    expect(run.stdout).toMatch(
      /demo: stack up in [\d.]+ s — .* PostgreSQL and Redis in containers on ports \d+ and \d+/,
    );
    expect(run.stdout).toContain(
      'demo: the db failover experiment needs the local Patroni cluster: not run with --docker',
    );
    const r = latestReport(out).record;
    const ids = r.verdicts.map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['smoke', 'worker kill › rto 1.1']));
    expect(ids.some((id) => id.startsWith('db failover'))).toBe(false);
    // The data suite ran against the containers: PostgreSQL 17's primary, Redis's master.
    const checks = (r as unknown as RunRecord).checks ?? [];
    expect(checks.find((c) => c.name === 'primary')?.status).toBe('passed');
    expect(checks.find((c) => c.name === 'cache')?.status).toBe('passed');
    expect(await dockerd.containers()).toEqual([]);
  }, 300_000);

  it('--drill with --docker is refused in one line (exit 2): the drill needs the Patroni cluster', async () => {
    const run = await gauntlet(['demo', '--drill', '--docker'], { cwd: ROOT, env: { DOCKER_HOST: dockerd.host } });
    expect(run.code, run.out).toBe(2);
    expect(run.out).toContain('the drill fails the database over, which needs the local Patroni cluster');
    expect(hasNoStackTrace(run.out)).toBe(true);
  }, 60_000);
});

describe('the Docker engine goes away mid-run', () => {
  let engine: Dockerd;
  beforeAll(async () => {
    engine = await startDockerd();
    await engine.load('app.tar');
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
  }, 60_000);

  it('the gate fails on a container verdict naming the engine, though the load ran; nothing hangs', async () => {
    const port = await freePort();
    const dir = project({
      'gauntlet.config.yaml': `environments:
  pre-deploy:
    baseUrl: http://127.0.0.1:${port}
    container: { image: "gauntlet.local/app:1", env: { PORT: "${port}", POD_NAME: gate }, waitFor: { path: /health, timeout: 30s } }
`,
      'p.yaml': `name: steady
scenario: { executor: constant-arrival-rate, rate: 20, duration: 8s, preAllocatedVUs: 5, maxVUs: 20 }
requests: [{ name: health, path: /health }]
`,
    });
    let signalled = false;
    const run = await gauntlet(['load', 'p.yaml'], {
      cwd: dir,
      env: { DOCKER_HOST: engine.host },
      timeoutMs: 120_000,
      onStdout: (chunk) => {
        // Two seconds into the load, the engine stops: it stops the container, then exits.
        if (!signalled && /answered in/.test(chunk)) {
          signalled = true;
          setTimeout(() => process.kill(engine.pid, 'SIGTERM'), 2000);
        }
      },
    });
    expect(signalled).toBe(true);
    expect(run.code, run.out).toBe(1);
    const r = record(dir);
    const v = r.verdicts.find((x) => x.id === 'container')!;
    expect(v.status).toBe('fail');
    expect(v.observed).toMatch(/^gauntlet\.local\/app:1: the Docker engine stopped answering \(.+\) during the run$/);
    expect(r.load?.totals.requests).toBeGreaterThan(100);
    expect(run.out).toMatch(/container: could not remove gauntlet\.local\/app:1/);
    expect(hasNoStackTrace(run.out)).toBe(true);
  }, 150_000);
});

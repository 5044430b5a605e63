// A gate before the deploy, on an image: the environment names the image under test, Gauntlet
// starts it with Debian's real Docker engine (testcontainers, host networking), runs the gate
// against it, names the image id in the record, and removes it. An image that exits fails the
// gate with its output in the report; an image the engine lacks is one line (exit 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../src/record/schema.ts';
import { freePort } from '../src/targets/local/process.ts';
import { startDockerd, type Dockerd } from './fixtures/dockerd.ts';
import { gauntlet, hasNoStackTrace, latestReport, project } from './helpers.ts';

let dockerd: Dockerd;
beforeAll(async () => {
  dockerd = await startDockerd();
  // The test workload of the Kubernetes tests: a small Go HTTP service listening on $PORT.
  await dockerd.load('app.tar');
}, 120_000);
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
});

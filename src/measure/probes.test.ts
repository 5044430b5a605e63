// The HTTP probe against a real server on loopback (an ephemeral port): what a sample is, and the
// fixed schedule that keeps sampling through a hang.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProbeSpec } from '../config/experiment.ts';
import type { Environment } from '../config/schema.ts';
import { startClock } from '../core/clock.ts';
import { sleep } from '../core/sleep.ts';
import { startProbe } from './probes.ts';

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') res.end('ok');
    else if (req.url === '/teapot') res.writeHead(418).end();
    else if (req.url === '/redirect') res.writeHead(302, { location: '/ok' }).end();
    else if (req.url === '/redirect-to-error') res.writeHead(302, { location: '/error' }).end();
    else if (req.url === '/error') res.writeHead(503).end();
    // '/hang': never answers.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function sampleFor(path: string, ms: number, o: { interval?: number; timeout?: number } = {}) {
  const spec = ProbeSpec.parse({
    kind: 'http',
    name: 'api',
    path,
    interval: o.interval ?? 50,
    timeout: o.timeout ?? 500,
  });
  const env = { baseUrl } as Environment;
  const probe = await startProbe(spec, env, startClock(), 'run');
  await sleep(ms);
  await probe.stop();
  return probe.samples;
}

describe('the HTTP probe', () => {
  it('a 2xx answer is a healthy sample, with its latency', async () => {
    const samples = await sampleFor('/ok', 120);
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples.every((s) => s.ok)).toBe(true);
    expect(samples.every((s) => s.latencyMs >= 0 && s.latencyMs < 500)).toBe(true);
  });

  it('redirects are followed and the final status judged (as k6 does)', async () => {
    expect((await sampleFor('/redirect', 60)).every((s) => s.ok)).toBe(true);
    const toError = await sampleFor('/redirect-to-error', 60);
    expect(toError.length).toBeGreaterThanOrEqual(1);
    expect(toError.every((s) => !s.ok)).toBe(true);
  });

  it('4xx and 5xx are unhealthy samples', async () => {
    for (const path of ['/teapot', '/error']) {
      const samples = await sampleFor(path, 60);
      expect(samples.length, path).toBeGreaterThanOrEqual(1);
      expect(
        samples.every((s) => !s.ok),
        path,
      ).toBe(true);
    }
  });

  it('nothing listening is an unhealthy sample', async () => {
    const spec = ProbeSpec.parse({ kind: 'http', name: 'api', path: '/', interval: 50, timeout: 500 });
    const probe = await startProbe(spec, { baseUrl: 'http://127.0.0.1:1' } as Environment, startClock(), 'run');
    await sleep(60);
    await probe.stop();
    expect(probe.samples.length).toBeGreaterThanOrEqual(1);
    expect(probe.samples.every((s) => !s.ok)).toBe(true);
  });

  it('a hang is sampled on schedule, each sample failing at its timeout; at most timeout/interval + 1 in flight', async () => {
    // interval 20 ms, timeout 100 ms: up to 6 in flight; a sample that finds them all busy fails at once.
    const samples = await sampleFor('/hang', 400, { interval: 20, timeout: 100 });
    expect(samples.length).toBeGreaterThanOrEqual(8);
    expect(samples.every((s) => !s.ok)).toBe(true);
    const timedOut = samples.filter((s) => s.latencyMs >= 90);
    expect(timedOut.length).toBeGreaterThan(0);
    // Sorted by start, on a fixed schedule: starts are never more than a few intervals apart.
    const starts = samples.map((s) => s.t);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeLessThan(100);
  });
});

// HTTPS targets end to end: a CA made here with openssl signs the server's certificate (for
// 127.0.0.1) and a client certificate; the gate's smoke checks and load (embedded engine and k6)
// reach the server only through the environment's tls settings, and a certificate the run would
// refuse is said once, with its reason, before any request.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gauntlet, hasNoStackTrace, latestReport, project } from './helpers.ts';
import type { LoadResult } from '../src/record/schema.ts';
import { makePki, serveLeaf, type HttpsTarget, type Leaf, type Pki } from './fixtures/pki.ts';

const pki = mkdtempSync(join(tmpdir(), 'gauntlet-pki-'));
const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' });

function issue(name: string, subject: string, ext: string): void {
  ssl(
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-subj',
    subject,
    '-out',
    `${name}.csr`,
  );
  writeFileSync(join(pki, `${name}.ext`), ext);
  ssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  );
}

interface Tls {
  url: string;
  server: Server;
  clientCertsSeen: number;
}

async function serve(requireClientCert: boolean): Promise<Tls> {
  const t = { clientCertsSeen: 0 } as Tls;
  t.server = createServer(
    {
      key: readFileSync(join(pki, 'server.key')),
      cert: readFileSync(join(pki, 'server.pem')),
      ...(requireClientCert
        ? { ca: readFileSync(join(pki, 'ca.pem')), requestCert: true, rejectUnauthorized: true }
        : {}),
    },
    (req, res) => {
      if ((req.socket as { getPeerCertificate?: () => { subject?: unknown } }).getPeerCertificate?.().subject)
        t.clientCertsSeen++;
      const body = req.url === '/health' ? '{"status":"ok"}' : 'ok';
      res.writeHead(200, {
        'content-type': req.url === '/health' ? 'application/json' : 'text/plain',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    },
  );
  await new Promise<void>((r) => t.server.listen(0, '127.0.0.1', r));
  t.url = `https://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
  return t;
}

let plain: Tls;
let mutual: Tls;
beforeAll(async () => {
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Gauntlet test CA',
  );
  issue('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('client', '/CN=gauntlet-client', 'extendedKeyUsage=clientAuth\n');
  [plain, mutual] = await Promise.all([serve(false), serve(true)]);
});
afterAll(async () => {
  await Promise.all([plain, mutual].map((t) => t && new Promise((r) => t.server.close(r))));
});

const suite =
  'name: api\nchecks:\n  - { kind: http, name: health, path: /health, expect: { status: 200, maxDuration: 2s } }\n';
const profile =
  "name: tls\nscenario: { executor: constant-arrival-rate, rate: 50, duration: 2s }\nrequests: [{ name: root, path: / }]\nthresholds: { http_req_failed: ['rate==0'] }\n";
const config = (url: string, tls: string) =>
  `environments:\n  staging:\n    baseUrl: "${url}"\n${tls}smoke: ["smoke/*.smoke.yaml"]\ngate: { smoke: true, load: p.yaml }\n`;
const files = (url: string, tls: string) => ({
  'gauntlet.config.yaml': config(url, tls),
  'smoke/api.smoke.yaml': suite,
  'p.yaml': profile,
});
const loadOf = (dir: string) => (latestReport(dir).record as unknown as { load: LoadResult }).load;

describe('gate against an https target', () => {
  it('with the CA in tls.ca: smoke and load (embedded engine) pass over TLS', async () => {
    const dir = project(files(plain.url, `    tls: { ca: ${join(pki, 'ca.pem')} }\n`));
    const run = await gauntlet(['gate'], { cwd: dir });
    expect(run.code, run.out).toBe(0);
    const { record } = latestReport(dir);
    expect(record.checks.map((c) => [c.name, c.status])).toEqual([['health', 'passed']]);
    const load = loadOf(dir);
    expect(load.totals.requests).toBe(100);
    expect(load.totals.statuses['200']).toBe(100);
    // This file runs twice (vitest.config.ts): on the native load core (rustls), and on node:tls.
    expect(load.generator!.core).toBe(process.env.GAUNTLET_CORE === 'js' ? 'js' : 'native');
  });

  it('without the CA: a failing verdict (exit 1) before any request, naming the unknown issuer, the report and JUnit written', async () => {
    const dir = project(files(plain.url, ''));
    const run = await gauntlet(['gate'], { cwd: dir });
    expect(run.code, run.out).toBe(1);
    expect(run.out).toMatch(
      /https:\/\/127\.0\.0\.1:\d+ — TLS: certificate is not signed by a trusted CA \(CN=127\.0\.0\.1, issuer CN=Gauntlet test CA; UNABLE_TO_VERIFY_LEAF_SIGNATURE\) — if the target uses a private CA, give its certificate as tls\.ca or in NODE_EXTRA_CA_CERTS/,
    );
    expect(run.out).not.toMatch(/insecureSkipVerify/);
    expect(hasNoStackTrace(run.out)).toBe(true);
    const { record, junit } = latestReport(dir);
    expect(record.status).toBe('failed');
    expect(record.errors).toEqual([]);
    expect(record.verdicts.map((v) => [v.id, v.status])).toEqual([['target reachable', 'fail']]);
    // A failed testcase, not a harness error.
    expect(junit).toMatch(/<testcase name="target reachable: [^"]*" classname="verdicts" time="0">\s*<failure /);
    expect(junit).not.toMatch(/<error /);
  });

  it('mTLS: the client certificate from tls.cert/key is presented by smoke checks and every load connection', async () => {
    const before = mutual.clientCertsSeen;
    const dir = project(
      files(
        mutual.url,
        `    tls: { ca: ${join(pki, 'ca.pem')}, cert: ${join(pki, 'client.pem')}, key: ${join(pki, 'client.key')} }\n`,
      ),
    );
    const run = await gauntlet(['gate'], { cwd: dir });
    expect(run.code, run.out).toBe(0);
    expect(loadOf(dir).totals.statuses['200']).toBe(100);
    expect(mutual.clientCertsSeen - before).toBe(101);
  });

  it('mTLS without a client certificate: the server refuses, the gate fails (exit 1) with the TLS reason in the record', async () => {
    const dir = project(files(mutual.url, `    tls: { ca: ${join(pki, 'ca.pem')} }\n`));
    const run = await gauntlet(['gate'], { cwd: dir });
    expect(run.code, run.out).toBe(1);
    const { record } = latestReport(dir);
    expect(record.checks[0]!.status).toBe('failed');
    const load = loadOf(dir);
    expect(load.totals.statuses['200'] ?? 0).toBe(0);
    expect(load.totals.failed).toBe(load.totals.requests);
    expect(load.totals.errors).toEqual({ tls: load.totals.requests });
    // The server's alert, in each TLS stack's words.
    if (process.env.GAUNTLET_CORE === 'js') expect(load.errorReasons!.tls).toContain('alert certificate required');
    else expect(load.errorReasons!.tls).toBe('received fatal alert: CertificateRequired');
  });

  it('insecureSkipVerify accepts the self-signed staging certificate', async () => {
    const dir = project(files(plain.url, '    tls: { insecureSkipVerify: true }\n'));
    const run = await gauntlet(['gate'], { cwd: dir });
    expect(run.code, run.out).toBe(0);
    expect(loadOf(dir).totals.statuses['200']).toBe(100);
  });

  it('the k6 engine gets the CA (SSL_CERT_FILE) and the client certificate (tlsAuth)', async () => {
    const dir = project(
      files(
        mutual.url,
        `    tls: { ca: ${join(pki, 'ca.pem')}, cert: ${join(pki, 'client.pem')}, key: ${join(pki, 'client.key')} }\n`,
      ),
    );
    const run = await gauntlet(['load', 'p.yaml', '--engine', 'k6'], { cwd: dir, timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(0);
    const load = loadOf(dir);
    // k6 starts an arrival at both ends of the 2 s window: 100 or 101.
    expect(load.totals.requests).toBeGreaterThanOrEqual(100);
    expect(load.totals.statuses['200']).toBe(load.totals.requests);
  }, 90_000);
});

describe('a team k6 script against an https target', () => {
  it('gets the same trust as the generated script: the CA from tls.ca, every request answered 200', async () => {
    const dir = project({
      'gauntlet.config.yaml': config(plain.url, `    tls: { ca: ${join(pki, 'ca.pem')} }\n`),
      'scenarios/root.k6.ts':
        "import http from 'k6/http';\nexport const options = { vus: 1, iterations: 5 };\nexport default function () {\n  http.get(`${__ENV.BASE_URL}/`);\n}\n",
    });
    const run = await gauntlet(['load', 'scenarios/root.k6.ts'], { cwd: dir, timeoutMs: 60_000 });
    expect(run.code, run.out).toBe(0);
    const load = loadOf(dir);
    expect(load.totals.requests).toBe(5);
    expect(load.totals.statuses['200']).toBe(5);
  }, 90_000);
});

describe('a target that fails before the run: a failing verdict with its reason (exit 1), never exit 3', () => {
  let pki: Pki;
  const served: Partial<Record<Leaf, HttpsTarget>> = {};
  beforeAll(async () => {
    pki = makePki();
    for (const leaf of ['expired', 'wronghost'] as const) served[leaf] = await serveLeaf(pki, leaf);
  });
  afterAll(async () => {
    await Promise.all(Object.values(served).map((t) => t.close()));
  });
  const withCa = () => `    tls: { ca: ${pki.caFile} }\n`;

  it('an expired certificate: exit 1, "certificate has expired (notAfter …)", and no advice to skip verification', async () => {
    const dir = project(files(served.expired!.url, withCa()));
    const run = await gauntlet(['gate'], { cwd: dir });
    expect(run.code, run.out).toBe(1);
    expect(run.out).toContain('TLS: certificate has expired (notAfter 2020-01-02T00:00:00Z, CN=expired)');
    expect(run.out).not.toMatch(/insecureSkipVerify|tls\.ca/);
    const { record, junit } = latestReport(dir);
    expect(record.exitCode).toBe(1);
    expect(record.verdicts[0]!.observed).toMatch(/certificate has expired \(notAfter 2020-01-02T00:00:00Z/);
    expect(junit).toMatch(/<failure [^>]*message="fail: [^"]*certificate has expired/);
  });

  it('a certificate for another host: exit 1, saying which names it has', async () => {
    const dir = project(files(served.wronghost!.url, withCa()));
    const run = await gauntlet(['smoke'], { cwd: dir });
    expect(run.code, run.out).toBe(1);
    expect(run.out).toContain('TLS: certificate is not valid for 127.0.0.1 (it names DNS:elsewhere.example)');
    expect(latestReport(dir).record.status).toBe('failed');
  });

  it('a refused connection: exit 1, "connection refused", the report written', async () => {
    const closed = await serveLeaf(pki, 'expired');
    const url = closed.url;
    await closed.close();
    const dir = project(files(url, withCa()));
    const run = await gauntlet(['gate'], { cwd: dir });
    expect(run.code, run.out).toBe(1);
    expect(run.out).toContain(`${url} — connection refused (ECONNREFUSED)`);
    const { record } = latestReport(dir);
    expect(record.verdicts.map((v) => [v.id, v.status])).toEqual([['target reachable', 'fail']]);
    expect(record.errors).toEqual([]);
  });
});

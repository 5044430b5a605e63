// One trust on every path (issue 30 item 11): the reachability check, smoke HTTP, an HTTP probe,
// wss, the load on the JavaScript worker, on the native core, on k6, and a shard's worker are each tried against the same four certificates (test/fixtures/trust-paths.ts) and must give
// the same answer: the certificate its CA signed is accepted whether that CA comes from tls.ca or
// from NODE_EXTRA_CA_CERTS alone; an expired one, one for another host and one signed by an
// unknown CA are refused by every path, each for that reason.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, serveLeaf, type HttpsTarget, type Leaf, type Pki } from './fixtures/pki.ts';
import { ROOT } from './helpers.ts';

const PATHS = ['reachable', 'smoke', 'probe', 'websocket', 'js', 'native', 'shard', 'k6'] as const;
type Answers = Record<(typeof PATHS)[number], string>;

let pki: Pki;
const targets = {} as Record<Leaf, HttpsTarget>;
beforeAll(async () => {
  pki = makePki();
  for (const leaf of ['trusted', 'expired', 'wronghost', 'untrusted'] as const)
    targets[leaf] = await serveLeaf(pki, leaf);
});
afterAll(async () => {
  await Promise.all(Object.values(targets).map((t) => t.close()));
});

/** Every path's answer for one target: "ok", or "refused …" with its reason. */
function tryPaths(url: string, ca: string | undefined, env: Record<string, string> = {}): Promise<Answers> {
  return new Promise((resolve, reject) => {
    const { NODE_EXTRA_CA_CERTS: _, ...base } = process.env;
    execFile(
      process.execPath,
      [join(ROOT, 'test/fixtures/trust-paths.mjs'), url, ca ?? '-', PATHS.join(',')],
      { cwd: ROOT, env: { ...base, ...env }, timeout: 150_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Answers);
      },
    );
  });
}

const allOk = Object.fromEntries(PATHS.map((p) => [p, 'ok']));

describe('one trust on every path', () => {
  it('the CA given as tls.ca: every path accepts its certificate', async () => {
    expect(await tryPaths(targets.trusted.url, pki.caFile)).toEqual(allOk);
  }, 180_000);

  it('the CA in NODE_EXTRA_CA_CERTS alone (no tls block): every path accepts it, the native core and k6 too', async () => {
    expect(await tryPaths(targets.trusted.url, undefined, { NODE_EXTRA_CA_CERTS: pki.caFile })).toEqual(allOk);
  }, 180_000);

  it('no CA given: every path refuses the certificate, as signed by an unknown CA', async () => {
    const answers = await tryPaths(targets.trusted.url, undefined);
    for (const [path, answer] of Object.entries(answers))
      expect(answer, path).toMatch(
        path === 'probe' ? /^refused / : /^refused .*(unable to verify|not signed by a trusted CA|unknown authority)/,
      );
  }, 180_000);

  const refusals: [Leaf, string, RegExp][] = [
    ['expired', 'expired', /^refused .*(certificate has expired|certificate expired)/],
    [
      'wronghost',
      'for another host',
      /^refused .*(not valid for 127\.0\.0\.1|does not match certificate's altnames|certificate doesn't match hostname)/,
    ],
    [
      'untrusted',
      'signed by an unknown CA',
      /^refused .*(unable to verify|not signed by a trusted CA|unknown authority)/,
    ],
  ];
  for (const [leaf, what, reason] of refusals)
    it(`a certificate ${what}: every path refuses it, for that reason, though the CA is trusted`, async () => {
      const answers = await tryPaths(targets[leaf].url, pki.caFile);
      expect(Object.keys(answers)).toEqual([...PATHS]);
      for (const [path, answer] of Object.entries(answers)) {
        // A probe's sample has no reason to give: it is refused, like the rest.
        expect(answer, path).toMatch(path === 'probe' ? /^refused \d+ unhealthy$/ : reason);
        // The loads class every request as a TLS failure (10 requests at 10/s for 1 s; k6 may start an 11th).
        if (['js', 'native', 'shard', 'k6'].includes(path))
          expect(answer, path).toMatch(/^refused \{"tls":1[01]\} tls: /);
      }
    }, 180_000);
});

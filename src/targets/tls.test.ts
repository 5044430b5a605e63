import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { describeCertificateProblem, localTrust, portableTls, trustBundle } from './tls.ts';

const dir = mkdtempSync(join(tmpdir(), 'gauntlet-trust-'));
// Two of Node's own roots stand in for a private CA and for NODE_EXTRA_CA_CERTS's: real PEM blocks.
const [a, b] = [rootCertificates[0]!, rootCertificates[1]!];
const privateCa = `${a}\n`;
const system = join(dir, 'system.pem');
writeFileSync(system, `${b}\n${a}\n`);
const certs = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;

describe('the run’s one trust bundle', () => {
  it('is Node’s roots, the system bundle, NODE_EXTRA_CA_CERTS and tls.ca, each certificate once', () => {
    const fake = '-----BEGIN CERTIFICATE-----\nTUlJQmZha2U=\n-----END CERTIFICATE-----';
    const extra = join(dir, 'extra.pem');
    writeFileSync(extra, `${fake}\n`);
    const bundle = trustBundle(privateCa, { NODE_EXTRA_CA_CERTS: extra }, system);
    expect(bundle).toContain(fake);
    expect(certs(bundle)).toBe(rootCertificates.length + 1);
    // Without the extra file and the CA, the roots alone.
    expect(certs(trustBundle(undefined, {}, join(dir, 'none.pem')))).toBe(rootCertificates.length);
  });

  it('an unreadable NODE_EXTRA_CA_CERTS is a config error naming it, not silently less trust', () => {
    expect(() => trustBundle(undefined, { NODE_EXTRA_CA_CERTS: join(dir, 'missing.pem') }, system)).toThrow(
      /NODE_EXTRA_CA_CERTS: cannot read .*missing\.pem \(ENOENT\)/,
    );
  });

  it('travels to a shard without the roots and gets this machine’s roots back there', () => {
    const extraCa = '-----BEGIN CERTIFICATE-----\nTUlJQmZha2U=\n-----END CERTIFICATE-----\n';
    const tls = { ca: trustBundle(extraCa), extraCa, rejectUnauthorized: true };
    const sent = portableTls(tls);
    expect(sent).toEqual({ extraCa, rejectUnauthorized: true });
    expect(localTrust(JSON.parse(JSON.stringify(sent)) as typeof tls).ca).toBe(tls.ca);
  });
});

describe('a refused certificate, said', () => {
  const cert = {
    subject: { CN: 'api' },
    issuer: { CN: 'Corp CA' },
    subjectaltname: 'DNS:api.example',
    valid_from: 'Jan  1 00:00:00 2020 GMT',
    valid_to: 'Jan  2 00:00:00 2020 GMT',
  };
  it('expired: its notAfter, and no fix on this side', () => {
    const line = describeCertificateProblem('CERT_HAS_EXPIRED', 'api.example', cert);
    expect(line).toBe('certificate has expired (notAfter 2020-01-02T00:00:00Z, CN=api)');
  });
  it('for another host: the names it has', () => {
    expect(describeCertificateProblem('ERR_TLS_CERT_ALTNAME_INVALID', 'other.example', cert)).toBe(
      'certificate is not valid for other.example (it names DNS:api.example)',
    );
  });
  it('an unknown CA: how to trust a private one, never to skip verification', () => {
    const line = describeCertificateProblem('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'api.example', cert);
    expect(line).toContain('issuer CN=Corp CA');
    expect(line).toContain('give its certificate as tls.ca or in NODE_EXTRA_CA_CERTS');
    expect(line).not.toContain('insecureSkipVerify');
  });
});

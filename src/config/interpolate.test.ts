import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../core/redact.ts';
import { interpolateEnv } from './interpolate.ts';

describe('${env:…} values: secrets unless they are addresses or places', () => {
  it('a token is redacted; a folder that exists and a URL without credentials are shown', () => {
    const folder = mkdtempSync(join(tmpdir(), 'gauntlet-backups-'));
    const r = new Redactor();
    const out = interpolateEnv(
      { token: '${env:TOKEN}', dir: '${env:BACKUP_DIR}', url: '${env:URL}', missingPath: '${env:NOPE}' },
      { TOKEN: 's3cr3t-tok3n', BACKUP_DIR: folder, URL: 'https://api.example.com/v1', NOPE: '/no/such/place-xyz' },
      r,
      [],
    );
    expect(r.redact(`${out.token} ${out.dir} ${out.url}`)).toBe(`[redacted] ${folder} https://api.example.com/v1`);
    // A path that does not exist could be anything: still a secret.
    expect(r.redact(out.missingPath)).toBe('[redacted]');
  });
});

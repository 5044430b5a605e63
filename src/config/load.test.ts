import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GauntletError } from '../core/errors.ts';
import { Redactor } from '../core/redact.ts';
import { loadConfig, resolveEnvironment } from './load.ts';

function dirWith(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-cfg-'));
  writeFileSync(join(dir, name), text);
  return dir;
}

const yaml = `environments:
  a: { baseUrl: "http://127.0.0.1:1" }
  b: { baseUrl: "http://127.0.0.1:2", headers: { x-api-key: "\${env:B_KEY}" } }
defaultEnvironment: a
reports: { dir: from-file }
`;

describe('loadConfig precedence: defaults < file < env vars < flags', () => {
  it('defaults fill what the file leaves out', async () => {
    const cfg = await loadConfig({
      cwd: dirWith('gauntlet.config.yaml', 'environments:\n  a: { baseUrl: "http://x" }\n'),
      flags: {},
      env: {},
    });
    expect(cfg.config.reports.dir).toBe('reports');
    expect(cfg.config.smoke).toContain('smoke/*.smoke.ts');
    expect(cfg.envName).toBe('a');
  });

  it('the file beats defaults, env vars beat the file, flags beat env vars', async () => {
    const cwd = dirWith('gauntlet.config.yaml', yaml);
    expect((await loadConfig({ cwd, flags: {}, env: {} })).config.reports.dir).toBe('from-file');
    const fromEnv = await loadConfig({ cwd, flags: {}, env: { GAUNTLET_OUT: 'from-env', GAUNTLET_ENV: 'b' } });
    expect([fromEnv.config.reports.dir, fromEnv.envName]).toEqual(['from-env', 'b']);
    const fromFlags = await loadConfig({
      cwd,
      flags: { out: 'from-flag', env: 'a', baseUrl: 'http://127.0.0.1:9' },
      env: { GAUNTLET_OUT: 'from-env', GAUNTLET_ENV: 'b' },
    });
    expect([fromFlags.config.reports.dir, fromFlags.envName, fromFlags.config.environments.a!.baseUrl]).toEqual([
      'from-flag',
      'a',
      'http://127.0.0.1:9',
    ]);
  });

  it('resolves ${env:NAME} for the chosen environment only, and registers the value as a secret', async () => {
    const cwd = dirWith('gauntlet.config.yaml', yaml);
    const redactor = new Redactor();
    const a = await loadConfig({ cwd, flags: {}, env: {} });
    expect(resolveEnvironment(a, {}, redactor).baseUrl).toBe('http://127.0.0.1:1'); // B_KEY not needed for a
    const b = await loadConfig({ cwd, flags: { env: 'b' }, env: {} });
    expect(() => resolveEnvironment(b, {}, redactor)).toThrow(GauntletError);
    expect(resolveEnvironment(b, { B_KEY: 'key-123456' }, redactor).headers).toEqual({ 'x-api-key': 'key-123456' });
    expect(redactor.redact('key-123456')).toBe('[redacted]');
  });

  it('an unknown environment is an error listing the known ones', async () => {
    const cwd = dirWith('gauntlet.config.yaml', yaml);
    await expect(loadConfig({ cwd, flags: { env: 'prod' }, env: {} })).rejects.toThrow(
      'unknown environment "prod": the config has a, b',
    );
  });

  it('loads gauntlet.config.ts through jiti', async () => {
    const cwd = dirWith(
      'gauntlet.config.ts',
      'const port: number = 7;\nexport default { environments: { t: { baseUrl: `http://127.0.0.1:${port}` } } };\n',
    );
    expect((await loadConfig({ cwd, flags: {}, env: {} })).config.environments.t!.baseUrl).toBe('http://127.0.0.1:7');
  });
});

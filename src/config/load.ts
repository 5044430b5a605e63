// Finding, reading and validating gauntlet.config.{ts,mts,js,mjs,yaml,yml}; precedence
// (defaults < file < env vars < flags) is applied here, once, before the single parse.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { createJiti } from 'jiti';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { configError, describeError } from '../core/errors.ts';
import type { Redactor } from '../core/redact.ts';
import { Config, Environment } from './schema.ts';
import { findInlineSecrets, interpolateEnv, isPlainObject, type Unresolved } from './interpolate.ts';

export const CONFIG_NAMES = [
  'gauntlet.config.ts',
  'gauntlet.config.mts',
  'gauntlet.config.js',
  'gauntlet.config.mjs',
  'gauntlet.config.yaml',
  'gauntlet.config.yml',
];

export interface Flags {
  config?: string | undefined;
  env?: string | undefined;
  out?: string | undefined;
  baseUrl?: string | undefined;
  /** Load engine: embedded (default), k6 or k6-operator (or GAUNTLET_ENGINE). */
  engine?: string | undefined;
  /** k6-operator: runner pods. */
  parallelism?: number | undefined;
  /** k6-operator: leave the ConfigMap, Secret and TestRun in the cluster. */
  keep?: boolean | undefined;
  /** compare: judge runs of different profiles, engines or environments anyway. */
  force?: boolean | undefined;
}

export interface LoadedConfig {
  file: string;
  dir: string;
  config: Config;
  envName: string;
  /** The config as written (before env interpolation), for the run record's digest. */
  raw: unknown;
}

/** A parsed source file that can say where a key path sits (YAML can; TS cannot). */
export interface Source {
  file: string;
  data: unknown;
  locate(path: readonly PropertyKey[]): string;
}

const jiti = createJiti(import.meta.url, { interopDefault: true, moduleCache: false });

/**
 * SHA-256 of the bytes of every file that defined this run (config, suites, profiles,
 * experiments), by the path shown: the record and the DR sign-off carry them, so an auditor can
 * tell exactly which files ran. (A TS file's own imports are not followed.)
 */
const inputDigests = new Map<string, string>();
export const runInputs = (): { file: string; sha256: string }[] =>
  [...inputDigests].map(([file, sha256]) => ({ file, sha256 }));

export async function readSource(file: string, cwd = process.cwd()): Promise<Source> {
  const shown = relative(cwd, file) || file;
  if (!existsSync(file)) throw configError(`${shown}: no such file`);
  inputDigests.set(shown, createHash('sha256').update(readFileSync(file)).digest('hex'));
  if (/\.ya?ml$/i.test(file)) {
    const text = readFileSync(file, 'utf8');
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw configError(
        `${shown}: malformed YAML`,
        doc.errors.map(
          (e) => `${shown}:${e.linePos?.[0]?.line ?? '?'}:${e.linePos?.[0]?.col ?? '?'} ${e.message.split('\n')[0]}`,
        ),
      );
    }
    return { file: shown, data: doc.toJS(), locate: (p) => locateYaml(doc, lines, shown, p) };
  }
  let mod: unknown;
  try {
    mod = await jiti.import(file, { default: true });
  } catch (err) {
    throw configError(`${shown}: could not load: ${firstLine(describeError(err))}`);
  }
  return { file: shown, data: mod, locate: () => shown };
}

function locateYaml(doc: Document, lines: LineCounter, shown: string, path: readonly PropertyKey[]): string {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const pos = lines.linePos(node.range[0]);
      return `${shown}:${pos.line}:${pos.col}`;
    }
  }
  return shown;
}

const firstLine = (s: string) => s.split('\n')[0]!.trim();

/** Every zod issue as "file:line:col key.path: message". */
export function formatIssues(source: Source, error: z.ZodError, prefix: PropertyKey[] = []): string[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path];
    const key = path.length ? path.map(String).join('.') : '(top level)';
    let message = issue.message;
    if (issue.code === 'unrecognized_keys')
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator')
      message = `unknown kind (expected one of: ${(issue as { options?: unknown[] }).options?.join(', ') ?? 'the check kinds'})`;
    // An unknown key is best pointed at where it is written.
    const at = issue.code === 'unrecognized_keys' ? [...path, issue.keys[0]!] : path;
    return `${source.locate(at)} ${key}: ${message}`;
  });
}

export function findConfigFile(cwd: string, explicit?: string): string {
  if (explicit) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) throw configError(`config file not found: ${explicit}`);
    return file;
  }
  for (const name of CONFIG_NAMES) {
    const file = resolve(cwd, name);
    if (existsSync(file)) return file;
  }
  throw configError(`no config file: looked for ${CONFIG_NAMES.join(', ')} in ${cwd}`);
}

export async function loadConfig(opts: {
  cwd: string;
  flags: Flags;
  env: Record<string, string | undefined>;
}): Promise<LoadedConfig> {
  const file = findConfigFile(opts.cwd, opts.flags.config);
  const source = await readSource(file, opts.cwd);
  const raw = source.data;
  if (!isPlainObject(raw))
    throw configError(`${source.file}: the config must be an object (export default defineConfig({...}))`);

  const problems = findInlineSecrets(raw).map(
    (p) => `${source.locate(p.split('.'))} ${p}: a credential is written inline; reference it as \${env:NAME}`,
  );

  // Precedence, applied once: defaults (in the schema) < file < env vars < flags.
  const merged = structuredClone(raw) as Record<string, unknown>;
  const envName = opts.flags.env ?? opts.env.GAUNTLET_ENV;
  const outDir = opts.flags.out ?? opts.env.GAUNTLET_OUT;
  const baseUrl = opts.flags.baseUrl ?? opts.env.GAUNTLET_BASE_URL;
  if (outDir) merged.reports = { ...(isPlainObject(merged.reports) ? merged.reports : {}), dir: outDir };

  const parsed = Config.safeParse(merged);
  if (!parsed.success) problems.push(...formatIssues(source, parsed.error));
  if (problems.length > 0 || !parsed.success) {
    throw configError(
      `${source.file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the config`,
      problems,
    );
  }
  const config = parsed.data;

  const names = Object.keys(config.environments);
  const chosen = envName ?? config.defaultEnvironment ?? (names.length === 1 ? names[0] : undefined);
  if (!chosen)
    throw configError(`no environment chosen: pass --env (one of ${names.join(', ')}) or set defaultEnvironment`);
  if (!(chosen in config.environments))
    throw configError(`unknown environment "${chosen}": the config has ${names.join(', ')}`);
  if (baseUrl) config.environments[chosen] = { ...config.environments[chosen]!, baseUrl };

  return { file: source.file, dir: dirname(file), config, envName: chosen, raw };
}

/** The chosen environment with ${env:NAME} resolved; every missing variable reported at once. */
export function resolveEnvironment(
  loaded: LoadedConfig,
  env: Record<string, string | undefined>,
  redactor: Redactor,
): Environment {
  const missing: Unresolved[] = [];
  const resolved = interpolateEnv(loaded.config.environments[loaded.envName]!, env, redactor, missing, [
    'environments',
    loaded.envName,
  ]);
  if (missing.length > 0) {
    throw configError(
      `environment "${loaded.envName}" needs ${missing.length} unset environment variable${missing.length === 1 ? '' : 's'}`,
      missing.map((m) => `${loaded.file} ${m.path}: \${env:${m.name}} is not set`),
    );
  }
  const checked = Environment.safeParse(resolved);
  if (!checked.success) {
    throw configError(
      `environment "${loaded.envName}" is invalid once resolved`,
      checked.error.issues.map(
        (i) => `${loaded.file} environments.${loaded.envName}.${i.path.join('.')}: ${i.message}`,
      ),
    );
  }
  for (const url of [checked.data.baseUrl, checked.data.postgres?.url, checked.data.redis?.url]) {
    if (url) redactor.addUrlCredentials(url);
  }
  const tls = checked.data.tls;
  if (tls) {
    // TLS files are paths relative to the config file, like every other path in it.
    const at = (p: string | undefined) => (p === undefined ? undefined : resolve(loaded.dir, p));
    checked.data.tls = { insecureSkipVerify: tls.insecureSkipVerify };
    for (const key of ['ca', 'cert', 'key'] as const) {
      const path = at(tls[key]);
      if (path) checked.data.tls[key] = path;
    }
  }
  return checked.data;
}

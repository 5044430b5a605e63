// `gauntlet init`: a project that validates and runs, written from flags — nothing is asked in
// CI or without a terminal; on a terminal, what the flags left open is asked (askInit). A config with one environment, a smoke suite — from an OpenAPI document when one
// is given, a check per GET path without parameters expecting its documented 2xx status — a
// gate load profile over those paths, and the gate's CI file for the platform found (GitHub or
// GitLab). Nothing existing is overwritten unless --force.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { configError, describeError } from '../core/errors.ts';
import type { Io } from './session.ts';

export interface InitOptions {
  baseUrl?: string | undefined;
  env?: string | undefined;
  openapi?: string | undefined;
  ci?: string | undefined;
  force?: boolean | undefined;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What init needs of an OpenAPI document (3.x or Swagger 2): its GET operations and their responses. */
const OpenApi = z
  .object({
    paths: z.record(
      z.string(),
      z
        .object({
          get: z
            .object({ responses: z.record(z.string(), z.unknown()).optional() })
            .passthrough()
            .optional(),
        })
        .passthrough(),
    ),
  })
  .passthrough();

export interface PathCheck {
  path: string;
  status: number;
}

/** GET paths without parameters, each with its first documented 2xx status (200 when none says). Pure. */
export function checksFromOpenApi(doc: unknown, source: string): PathCheck[] {
  const parsed = OpenApi.safeParse(doc);
  if (!parsed.success) throw configError(`${source}: not an OpenAPI document (no "paths" of operations)`);
  return Object.entries(parsed.data.paths)
    .filter(([path, item]) => item.get && !path.includes('{'))
    .map(([path, item]) => {
      const codes = Object.keys(item.get!.responses ?? {})
        .filter((c) => /^2\d\d$/.test(c))
        .sort();
      return { path, status: codes[0] ? Number(codes[0]) : 200 };
    });
}

async function readOpenApi(where: string, cwd: string): Promise<unknown> {
  try {
    const text = /^https?:\/\//.test(where)
      ? await (await fetch(where, { signal: AbortSignal.timeout(10_000) })).text()
      : readFileSync(resolve(cwd, where), 'utf8');
    return parse(text);
  } catch (err) {
    throw configError(`--openapi ${where}: cannot read it: ${describeError(err)}`);
  }
}

/** One question on the terminal; an empty answer takes the default. */
export type Ask = (question: string, fallback: string) => Promise<string>;

/**
 * What the flags left open, asked: the environment's name and base URL, an OpenAPI document, the
 * CI platform. Each answer is checked as its flag would be (initApp), so a typo is the same one
 * line. Pure but for `ask`.
 */
export async function askInit(o: InitOptions, cwd: string, ask: Ask): Promise<InitOptions> {
  const out = { ...o };
  out.env ??= await ask('Environment name', 'staging');
  out.baseUrl ??= (await ask(`Base URL of ${out.env} (empty: read from \${env:…} at run time)`, '')) || undefined;
  out.openapi ??= (await ask('OpenAPI document, a file or URL (empty: one check of /)', '')) || undefined;
  out.ci ??= await ask('CI platform: github, gitlab or none', platformOf(cwd, undefined));
  return out;
}

/** The CI platform: asked, or found from what the project already has. */
function platformOf(cwd: string, asked: string | undefined): 'github' | 'gitlab' | 'none' {
  if (asked !== undefined) {
    if (asked === 'github' || asked === 'gitlab' || asked === 'none') return asked;
    throw configError(`--ci "${asked}": expected github, gitlab or none`);
  }
  if (existsSync(join(cwd, '.gitlab-ci.yml'))) return 'gitlab';
  if (existsSync(join(cwd, '.github'))) return 'github';
  return 'none';
}

export async function initApp(o: InitOptions, io: Io): Promise<string[]> {
  const cwd = io.cwd;
  const env = o.env ?? 'staging';
  if (!/^[A-Za-z0-9_-]+$/.test(env)) throw configError(`--env "${env}": letters, digits, - and _ only`);
  if (o.baseUrl !== undefined && !URL.canParse(o.baseUrl))
    throw configError(`--base-url "${o.baseUrl}": not a URL (e.g. https://staging.example.com)`);
  const checks = o.openapi
    ? checksFromOpenApi(await readOpenApi(o.openapi, cwd), o.openapi)
    : [{ path: '/', status: 200 }];
  if (!checks.length) throw configError(`--openapi ${o.openapi}: no GET path without parameters to check`);
  const platform = platformOf(cwd, o.ci);

  const files: [string, string][] = [
    [
      'gauntlet.config.yaml',
      `# yaml-language-server: $schema=node_modules/gauntlet/schema/gauntlet.config.schema.json
${stringify({
  environments: { [env]: { baseUrl: o.baseUrl ?? `\${env:${env.toUpperCase().replace(/-/g, '_')}_BASE_URL}` } },
  defaultEnvironment: env,
  gate: { smoke: true, load: 'scenarios/gate.yaml' },
})}`,
    ],
    [
      'smoke/api.smoke.yaml',
      `# One check per GET path${o.openapi ? ` of ${o.openapi}` : ''}: add expectations on bodies and headers as you go.
${stringify({
  name: 'api',
  checks: checks.map((c) => ({ kind: 'http', name: `GET ${c.path}`, path: c.path, expect: { status: c.status } })),
})}`,
    ],
    [
      'scenarios/gate.yaml',
      `# The gate's short load: a steady arrival rate over the same paths, judged on p95 and errors.
${stringify({
  name: 'gate',
  scenario: { executor: 'constant-arrival-rate', rate: 10, duration: '20s', preAllocatedVUs: 10 },
  requests: checks
    .slice(0, 10)
    .map((c) => ({ name: c.path === '/' ? 'root' : c.path.replace(/^\//, ''), path: c.path })),
  thresholds: { http_req_duration: ['p(95)<500'], http_req_failed: ['rate<0.01'] },
})}`,
    ],
  ];
  if (platform === 'github')
    files.push([
      '.github/workflows/gauntlet-gate.yml',
      readFileSync(join(ROOT, 'ci/github/post-deploy-gate.yml'), 'utf8'),
    ]);
  if (platform === 'gitlab')
    files.push(['gauntlet.gitlab-ci.yml', readFileSync(join(ROOT, 'ci/gitlab/gauntlet.gitlab-ci.yml'), 'utf8')]);

  const existing = files.map(([f]) => f).filter((f) => existsSync(join(cwd, f)));
  if (existing.length && !o.force)
    throw configError(
      `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}: nothing written (--force overwrites)`,
    );
  for (const [file, content] of files) {
    mkdirSync(dirname(join(cwd, file)), { recursive: true });
    writeFileSync(join(cwd, file), content);
  }
  return [
    ...files.map(([f]) => `init: wrote ${f}`),
    ...(platform === 'gitlab' ? ['init: include gauntlet.gitlab-ci.yml from your .gitlab-ci.yml'] : []),
    `init: next, \`npx gauntlet validate --env ${env}\`, then \`npx gauntlet gate --env ${env}\``,
  ];
}

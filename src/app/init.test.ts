import { describe, expect, it } from 'vitest';
import { askInit, checksFromOpenApi } from './init.ts';

describe('smoke checks from an OpenAPI document', () => {
  it('a GET path without parameters each, with its first documented 2xx status (200 when none)', () => {
    const doc = {
      swagger: '2.0',
      paths: {
        '/orders': { get: { responses: { '400': {}, '201': {}, '200': {} } }, post: {} },
        '/orders/{id}': { get: { responses: { '200': {} } } },
        '/ping': { get: {} },
        '/login': { post: { responses: { '200': {} } } },
      },
    };
    expect(checksFromOpenApi(doc, 'api.yaml')).toEqual([
      { path: '/orders', status: 200 },
      { path: '/ping', status: 200 },
    ]);
  });
  it('a document without paths is refused, naming it', () => {
    expect(() => checksFromOpenApi({ openapi: '3.1.0' }, 'api.yaml')).toThrow(
      'api.yaml: not an OpenAPI document (no "paths" of operations)',
    );
  });
});

describe('init on a terminal', () => {
  it('asks what the flags left open, in order, with the defaults shown; an empty answer takes the default', async () => {
    const asked: string[] = [];
    const answers = ['prod', 'https://prod.example.com', '', ''];
    const o = await askInit({ force: true }, '/nonexistent', async (q, fallback) => {
      asked.push(`${q} [${fallback}]`);
      return answers.shift() || fallback;
    });
    expect(asked).toEqual([
      'Environment name [staging]',
      'Base URL of prod (empty: read from ${env:…} at run time) []',
      'OpenAPI document, a file or URL (empty: one check of /) []',
      'CI platform: github, gitlab or none [none]',
    ]);
    expect(o).toEqual({
      force: true,
      env: 'prod',
      baseUrl: 'https://prod.example.com',
      openapi: undefined,
      ci: 'none',
    });
  });

  it('asks nothing a flag already said', async () => {
    const o = await askInit({ env: 'e', baseUrl: 'http://x', openapi: 'a.json', ci: 'github' }, '/', async () => {
      throw new Error('asked');
    });
    expect(o).toEqual({ env: 'e', baseUrl: 'http://x', openapi: 'a.json', ci: 'github' });
  });
});

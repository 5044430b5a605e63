import { describe, expect, it } from 'vitest';
import { checksFromOpenApi } from './init.ts';

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

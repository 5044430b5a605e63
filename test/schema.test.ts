import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemas } from '../src/config/json-schema.ts';
import { ROOT } from './helpers.ts';

describe('exported JSON Schemas', () => {
  it('the committed schema/ files are what the zod models export (run `npm run schema`)', () => {
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      expect(JSON.parse(readFileSync(join(ROOT, 'schema', name), 'utf8')), name).toEqual(schema);
    }
  });

  it('the config schema lets editors complete environments and rejects unknown keys', () => {
    const s = jsonSchemas()['gauntlet.config.schema.json'] as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['environments', 'smoke', 'slos', 'reports']));
    expect(s.additionalProperties).toBe(false);
  });
});

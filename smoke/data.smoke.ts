// The demo's data layer after a deploy: the database takes queries on the primary, the
// migrations ran, the catalog is there, connections are bounded; the cache answers.
import { defineSuite, postgres, redis } from '../src/index.ts';

export default defineSuite({
  name: 'data',
  checks: [
    postgres('primary', {
      expect: { role: 'primary', maxRoundTrip: '200ms', maxConnections: 40 },
      queries: [
        { name: 'migrations ran', sql: 'select max(version) from schema_migrations', expect: { value: { equals: 2 } } },
        {
          name: 'catalog present',
          sql: 'select id, name from items order by id',
          expect: { rowCount: { greaterThan: 2 } },
        },
      ],
    }),
    redis('cache', { expect: { role: 'master', maxRoundTrip: '100ms', maxMemoryBytes: 256 * 1024 * 1024 } }),
  ],
});

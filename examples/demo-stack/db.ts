// The demo API's schema, applied as numbered migrations recorded in schema_migrations — the
// table a post-deploy smoke check reads to confirm the deploy migrated.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';

export const MIGRATIONS: { version: number; sql: (password: string) => string }[] = [
  {
    version: 1,
    sql: (password) => {
      const salt = randomBytes(16).toString('hex');
      const hash = scryptSync(password, salt, 32).toString('hex');
      return `create table users (id serial primary key, username text unique not null, password_hash text not null, created_at timestamptz not null default now());
              insert into users (username, password_hash) values ('demo', 'scrypt$${salt}$${hash}');`;
    },
  },
  {
    version: 2,
    sql: () => `create table items (id serial primary key, name text not null, price_cents integer not null check (price_cents >= 0));
                insert into items (name, price_cents) values ('Anvil', 4999), ('Rope', 1299), ('Lantern', 2450);`,
  },
];

export const LATEST_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export async function migrate(db: pg.Pool, password: string): Promise<void> {
  const client = await db.connect();
  try {
    // Workers start together: one migrates, the others wait and then find nothing to do.
    await client.query('select pg_advisory_lock(4242)');
    await client.query(
      'create table if not exists schema_migrations (version integer primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await client.query<{ version: number }>('select version from schema_migrations')).rows.map((r) => r.version),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query('begin');
      await client.query(m.sql(password));
      await client.query('insert into schema_migrations (version) values ($1)', [m.version]);
      await client.query('commit');
    }
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    await client.query('select pg_advisory_unlock(4242)').catch(() => {});
    client.release();
  }
}

export async function checkPassword(db: pg.Pool, username: string, password: string): Promise<boolean> {
  const row = (
    await db.query<{ password_hash: string }>('select password_hash from users where username = $1', [username])
  ).rows[0];
  if (!row) return false;
  const [, salt, hash] = row.password_hash.split('$');
  const given = scryptSync(password, salt!, 32);
  return timingSafeEqual(given, Buffer.from(hash!, 'hex'));
}

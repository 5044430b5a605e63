// One PostgreSQL connection for one piece of work: connected, used, always closed. A dropped
// connection surfaces through the query that hits it, never as an unhandled 'error' event, and
// closing is bounded so a dead server cannot hold the caller past its own timeout.
import pg from 'pg';

export type PgConfig = string | pg.ClientConfig;

export async function withPg<T>(
  config: PgConfig,
  work: (client: pg.Client) => Promise<T>,
  opts: { signal?: AbortSignal } = {},
): Promise<T> {
  const client = new pg.Client(
    typeof config === 'string' ? { connectionString: config, connectionTimeoutMillis: 5000 } : config,
  );
  client.on('error', () => {});
  const onAbort = () => void client.end().catch(() => {});
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    return await work(client);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await Promise.race([client.end().catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}

/** Run statements for their effect (DDL, set-up SQL). */
export async function execSql(config: PgConfig, sql: string): Promise<void> {
  await withPg(config, (c) => c.query(sql));
}

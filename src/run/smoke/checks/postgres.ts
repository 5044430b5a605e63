// postgres check: connect (TLS options), a select-1 round trip, the server's role
// (pg_is_in_recovery), replication lag on a replica, connection count, and the user's SQL with
// expected rows — every query under a statement timeout, the connection always closed.
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { PostgresCheck } from '../../../config/suite.ts';
import type { Expectation } from '../../../record/schema.ts';
import { formatMs } from '../../../core/duration.ts';
import { withPg } from '../../../targets/pg.ts';
import { match } from '../expect.ts';
import type { Attempt, CheckContext } from '../context.ts';

export async function postgresCheck(check: PostgresCheck, ctx: CheckContext): Promise<Attempt> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const url = check.url ?? (check.database === 'replica' ? ctx.env.postgres?.replicaUrl : ctx.env.postgres?.url);
  if (!url)
    return {
      expectations: [],
      durationMs: 0,
      reason: `the environment has no postgres.${check.database === 'replica' ? 'replicaUrl' : 'url'}`,
    };
  const config: pg.ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: check.connectTimeout,
    statement_timeout: check.statementTimeout,
    query_timeout: check.statementTimeout + 2000,
    ssl: sslOptions(check.ssl),
    application_name: 'gauntlet-smoke',
  };
  const expectations: Expectation[] = [];
  const facts: string[] = [];
  let step = 'connect';
  try {
    return await withPg(
      config,
      async (client) => {
        step = 'select 1';
        const t0 = performance.now();
        await client.query('select 1');
        const rtt = performance.now() - t0;
        facts.push(`select 1 in ${formatMs(rtt)}`);
        if (check.expect.maxRoundTrip !== undefined) {
          expectations.push({
            what: `select 1 within ${formatMs(check.expect.maxRoundTrip)}`,
            ok: rtt <= check.expect.maxRoundTrip,
            actual: formatMs(rtt),
          });
        }
        step = 'role';
        const info = await client.query<{ replica: boolean; version: string }>(
          "select pg_is_in_recovery() as replica, current_setting('server_version') as version",
        );
        const role = info.rows[0]!.replica ? 'replica' : 'primary';
        facts.push(`PostgreSQL ${info.rows[0]!.version}, ${role}`);
        if (check.expect.role)
          expectations.push({
            what: `server is the ${check.expect.role}`,
            ok: role === check.expect.role,
            expected: check.expect.role,
            actual: role,
          });
        if (check.expect.maxReplicationLag !== undefined || check.expect.maxLagBytes !== undefined) {
          step = 'replication lag';
          if (role !== 'replica') {
            expectations.push({
              what: 'replication lag is measurable',
              ok: false,
              actual: 'the server is a primary, not a replica',
            });
          } else {
            // A replica that has replayed all it received is not behind, however old its last replay.
            const lag = await client.query<{ lag_ms: number | null; lag_bytes: string | null }>(
              `select case when pg_last_wal_receive_lsn() is not distinct from pg_last_wal_replay_lsn() then 0
                    else extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000 end as lag_ms,
                    pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::text as lag_bytes`,
            );
            const lagMs = lag.rows[0]!.lag_ms === null ? undefined : Number(lag.rows[0]!.lag_ms);
            const lagBytes = lag.rows[0]!.lag_bytes === null ? undefined : Number(lag.rows[0]!.lag_bytes);
            facts.push(
              `replication lag ${lagMs === undefined ? 'unknown' : formatMs(lagMs)}, ${lagBytes ?? '?'} bytes unreplayed`,
            );
            if (check.expect.maxReplicationLag !== undefined) {
              expectations.push({
                what: `replication lag within ${formatMs(check.expect.maxReplicationLag)}`,
                ok: lagMs !== undefined && lagMs <= check.expect.maxReplicationLag,
                actual: lagMs === undefined ? 'unknown (never replayed)' : formatMs(lagMs),
              });
            }
            if (check.expect.maxLagBytes !== undefined) {
              expectations.push({
                what: `replay lag within ${check.expect.maxLagBytes} bytes`,
                ok: lagBytes !== undefined && lagBytes <= check.expect.maxLagBytes,
                actual: `${lagBytes ?? 'unknown'} bytes`,
              });
            }
          }
        }
        if (check.expect.maxConnections !== undefined) {
          step = 'connection count';
          const n = Number(
            (
              await client.query<{ n: string }>(
                "select count(*)::text as n from pg_stat_activity where backend_type = 'client backend'",
              )
            ).rows[0]!.n,
          );
          facts.push(`${n} client connections`);
          expectations.push({
            what: `at most ${check.expect.maxConnections} connections`,
            ok: n <= check.expect.maxConnections,
            actual: String(n),
          });
        }
        for (const [i, q] of check.queries.entries()) {
          const label = q.name ?? `query ${i + 1}`;
          step = label;
          const t = performance.now();
          const res = await client.query({ text: q.sql, values: q.params ?? [] }).catch((err: unknown) => {
            throw new QueryError(label, err, performance.now() - t, check.statementTimeout);
          });
          const rows = typedRows(res);
          const rowCount = res.rowCount ?? rows.length;
          if (q.expect.rowCount !== undefined) {
            expectations.push(
              ...match(
                `${label} row count`,
                rowCount,
                true,
                typeof q.expect.rowCount === 'number' ? { equals: q.expect.rowCount } : q.expect.rowCount,
              ),
            );
          }
          if (q.expect.value !== undefined) {
            const first = rows[0];
            const value = first ? Object.values(first)[0] : undefined;
            expectations.push(...match(`${label} value`, value, first !== undefined, q.expect.value));
          }
          if (q.expect.rows !== undefined) {
            expectations.push(...match(`${label} rows`, rows, true, { equals: q.expect.rows }));
          }
          if (q.expect.rowCount === undefined && q.expect.value === undefined && q.expect.rows === undefined) {
            expectations.push({
              what: `${label} runs`,
              ok: true,
              actual: `${rowCount} rows in ${formatMs(performance.now() - t)}`,
            });
          }
        }
        return { expectations, durationMs: elapsed(), detail: facts.join('; ') };
      },
      { signal: ctx.signal },
    );
  } catch (err) {
    const reason = err instanceof QueryError ? err.message : `${step}: ${describePgError(err, check)}`;
    return { expectations, durationMs: elapsed(), reason, detail: facts.join('; ') };
  }
}

const INT8 = 20;
const NUMERIC = 1700;

/**
 * Rows with values as the config writes them: bigint and numeric (which pg hands over as text,
 * so `count(*)` is "1") become numbers when a double holds them exactly; beyond 2^53, or with
 * more digits than a double keeps, they stay decimal strings — write such expected values as
 * strings. Timestamps and dates become ISO strings; booleans stay booleans.
 */
export function typedRows(res: {
  rows: unknown[];
  fields: { name: string; dataTypeID: number }[];
}): Record<string, unknown>[] {
  const numeric = new Set(
    res.fields.filter((f) => f.dataTypeID === INT8 || f.dataTypeID === NUMERIC).map((f) => f.name),
  );
  return (res.rows as Record<string, unknown>[]).map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => {
        if (v instanceof Date) return [k, v.toISOString()];
        if (typeof v === 'string' && numeric.has(k)) return [k, exactNumber(v) ?? v];
        return [k, v];
      }),
    ),
  );
}

/** A decimal string as a number when the number prints back to the same value, else undefined. */
export function exactNumber(text: string): number | undefined {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  const canonical = (s: string) =>
    s
      .replace(/^(-?)0+(?=\d)/, '$1')
      .replace(/(\.\d*?)0+$/, '$1')
      .replace(/\.$/, '');
  return Number.isFinite(n) && canonical(String(n)) === canonical(text) ? n : undefined;
}

class QueryError extends Error {
  constructor(label: string, err: unknown, tookMs: number, timeoutMs: number) {
    const code = (err as { code?: string }).code;
    super(
      code === '57014'
        ? `${label}: cancelled by the statement timeout after ${formatMs(tookMs)} (limit ${formatMs(timeoutMs)})`
        : `${label}: ${(err as Error).message}${code ? ` (SQLSTATE ${code})` : ''}`,
    );
  }
}

function describePgError(err: unknown, check: PostgresCheck): string {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED): is the database down?';
    case '28P01':
      return `${e.message} (SQLSTATE 28P01)`;
    case '3D000':
      return `${e.message} (SQLSTATE 3D000)`;
    case '57P03':
      return `the server is starting up or shutting down (SQLSTATE 57P03)`;
  }
  if (/timeout expired|Connection terminated due to connection timeout/i.test(e.message ?? ''))
    return `no connection within ${formatMs(check.connectTimeout)} (timed out)`;
  if (/Query read timeout/i.test(e.message ?? ''))
    return `no answer within ${formatMs(check.statementTimeout + 2000)} (timed out)`;
  return `${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`;
}

function sslOptions(ssl: PostgresCheck['ssl']): pg.ClientConfig['ssl'] {
  if (!ssl || ssl.mode === 'disable') return false;
  const ca = ssl.ca ? readFileSync(ssl.ca, 'utf8') : undefined;
  if (ssl.mode === 'require') return { rejectUnauthorized: false };
  if (ssl.mode === 'verify-ca')
    return { ...(ca ? { ca } : {}), rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ...(ca ? { ca } : {}), rejectUnauthorized: true };
}

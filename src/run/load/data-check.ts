// The data tier of a profile, before any load: each SQL statement and Redis command given its
// URL (its own, or the environment's), then checked against the live servers without running
// it — PostgreSQL parses and analyses each statement (PREPARE, then DEALLOCATE: a missing table
// or column is caught with its position), Redis says whether the command exists and whether the
// user may run it (ACL DRYRUN). Problems are one line each; nothing is left connected.
import pg from 'pg';
import { Redis } from 'ioredis';
import { methodOf, type Profile } from '../../config/profile.ts';
import { dataRequestUrl } from '../../plan/data.ts';
import type { Environment } from '../../config/schema.ts';
import { describeError } from '../../core/errors.ts';
import type { PreparedData } from './engine.ts';

/** The profile's SQL and Redis requests with their URLs; a request without one is a problem. */
export function planDataRequests(
  profile: Profile,
  env: Pick<Environment, 'postgres' | 'redis'>,
  file: string,
): { requests: Map<number, PreparedData>; problems: string[] } {
  const requests = new Map<number, PreparedData>();
  const problems: string[] = [];
  // statement_timeout per URL: the largest request timeout on it (each request's own is enforced here).
  const serverTimeout = new Map<string, number>();
  profile.requests.forEach((r, i) => {
    if (r.kind !== 'postgres' && r.kind !== 'redis') return;
    const where = dataRequestUrl(r, env, file)!;
    if ('problem' in where) {
      problems.push(where.problem);
      return;
    }
    const { url } = where;
    const timeoutMs = r.timeout ?? profile.timeout;
    serverTimeout.set(url, Math.max(serverTimeout.get(url) ?? 0, timeoutMs));
    requests.set(i, {
      kind: r.kind,
      name: r.name,
      method: methodOf(r),
      weight: r.weight,
      timeoutMs,
      data:
        r.kind === 'postgres'
          ? { kind: 'postgres', url, statement: `gauntlet_${i}`, sql: r.sql, params: r.params, serverTimeoutMs: 0 }
          : { kind: 'redis', url, command: r.command },
    });
  });
  for (const p of requests.values())
    if (p.data.kind === 'postgres') p.data.serverTimeoutMs = serverTimeout.get(p.data.url)!;
  return { requests, problems };
}

/** Where a statement went wrong, as psql shows it: the line and the text from that character. */
const PREPARE = 'PREPARE gauntlet_check AS ';

function atPosition(sql: string, position: string | undefined): string {
  const at = Number(position) - PREPARE.length;
  if (!Number.isInteger(at) || at < 1) return '';
  return ` at character ${at}: "${sql.slice(at - 1, at + 39).replace(/\s+/g, ' ')}"`;
}

/** Checks every statement and command against its server; one line per problem. */
export async function checkDataRequests(requests: Iterable<PreparedData>, timeoutMs = 10_000): Promise<string[]> {
  const problems: string[] = [];
  const byUrl = new Map<string, PreparedData[]>();
  for (const r of requests) byUrl.set(`${r.kind} ${r.data.url}`, [...(byUrl.get(`${r.kind} ${r.data.url}`) ?? []), r]);
  for (const [key, rs] of byUrl) {
    const kind = key.slice(0, key.indexOf(' '));
    const url = rs[0]!.data.url;
    const host = safeHost(url);
    if (kind === 'postgres') {
      const client = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
      });
      client.on('error', () => {});
      try {
        await client.connect();
      } catch (err) {
        problems.push(
          `postgres ${host}: cannot connect for requests ${rs.map((r) => `"${r.name}"`).join(', ')}: ${describeError(err)}`,
        );
        continue;
      }
      try {
        for (const r of rs) {
          if (r.data.kind !== 'postgres') continue;
          try {
            await client.query(`${PREPARE}${r.data.sql}`);
            await client.query('DEALLOCATE gauntlet_check');
          } catch (err) {
            const e = err as { message?: string; position?: string };
            problems.push(
              `request "${r.name}": PostgreSQL refuses its SQL: ${e.message ?? String(err)}${atPosition(r.data.sql, e.position)}`,
            );
          }
        }
      } finally {
        await client.end().catch(() => {});
      }
    } else {
      const client = new Redis(url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        enableReadyCheck: false,
        connectTimeout: timeoutMs,
        commandTimeout: timeoutMs,
      });
      client.on('error', () => {});
      try {
        await client.connect();
      } catch (err) {
        problems.push(
          `redis ${host}: cannot connect for requests ${rs.map((r) => `"${r.name}"`).join(', ')}: ${describeError(err)}`,
        );
        client.disconnect();
        continue;
      }
      try {
        const user = decodeURIComponent(new URL(url).username) || 'default';
        for (const r of rs) {
          if (r.data.kind !== 'redis') continue;
          const problem = await checkRedisCommand(client, user, r.data.command.map(String));
          if (problem) problems.push(`request "${r.name}": ${problem}`);
        }
      } catch (err) {
        problems.push(`redis ${host}: ${describeError(err)}`);
      } finally {
        client.disconnect();
      }
    }
  }
  return problems;
}

/** Commands without side effects: run once as their own check when the user may not introspect. */
const READ_ONLY = new Set(
  'GET MGET EXISTS STRLEN GETRANGE TTL PTTL TYPE HGET HMGET HGETALL HEXISTS HLEN HKEYS HVALS LRANGE LLEN LINDEX SMEMBERS SISMEMBER SCARD ZRANGE ZSCORE ZCARD ZRANK ZCOUNT ZRANGEBYSCORE PING ECHO DBSIZE'.split(
    ' ',
  ),
);

/**
 * Whether Redis has the command and would let this user run it, without running it: COMMAND
 * INFO and ACL DRYRUN (Redis 7). A user barred from those (a least-privilege user usually is)
 * gets its read-only commands run once instead; a write then cannot be checked before the load,
 * and its refusals are counted as redis_noperm.
 */
async function checkRedisCommand(client: Redis, user: string, command: string[]): Promise<string | undefined> {
  const [cmd, ...args] = command;
  const refused = (err: unknown) => /^NOPERM/.test(describeError(err));
  try {
    const info = (await client.call('COMMAND', 'INFO', cmd!)) as unknown[];
    if (!info?.[0]) return `Redis has no command "${cmd}"`;
    const verdict = await client.call('ACL', 'DRYRUN', user, cmd!, ...args);
    return verdict === 'OK' ? undefined : `Redis would refuse ${cmd} to user ${user}: ${String(verdict)}`;
  } catch (err) {
    if (!refused(err)) return `Redis refused to check ${cmd}: ${describeError(err)}`;
  }
  if (!READ_ONLY.has(cmd!.toUpperCase())) return undefined;
  try {
    await client.call(cmd!, ...args);
    return undefined;
  } catch (err) {
    return `Redis refuses ${cmd} to user ${user}: ${describeError(err)}`;
  }
}

/** host:port of a URL, never its password. */
function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return u.host;
  } catch {
    return '(unparsable url)';
  }
}

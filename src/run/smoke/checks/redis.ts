// redis check: PING round trip; SET/GET/DEL of a unique key with a TTL; INFO replication role;
// an optional used-memory bound. Bounded in time; the connection always closed.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisCheck } from '../../../config/suite.ts';
import type { Expectation } from '../../../record/schema.ts';
import { formatMs } from '../../../core/duration.ts';
import type { Attempt, CheckContext } from '../context.ts';

export async function redisCheck(check: RedisCheck, ctx: CheckContext): Promise<Attempt> {
  const started = performance.now();
  const url = check.url ?? ctx.env.redis?.url;
  if (!url) return { expectations: [], durationMs: 0, reason: 'the environment has no redis.url' };
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: check.connectTimeout,
    commandTimeout: check.timeout,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectionName: 'gauntlet-smoke',
  });
  let lastError: Error | undefined;
  client.on('error', (err: Error) => (lastError = err));
  const onAbort = () => client.disconnect();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const expectations: Expectation[] = [];
  const facts: string[] = [];
  let step = 'connect';
  try {
    await client.connect();
    step = 'PING';
    const t0 = performance.now();
    const pong = await client.ping();
    const rtt = performance.now() - t0;
    facts.push(`PING ${pong} in ${formatMs(rtt)}`);
    if (check.expect.maxRoundTrip !== undefined)
      expectations.push({
        what: `PING within ${formatMs(check.expect.maxRoundTrip)}`,
        ok: rtt <= check.expect.maxRoundTrip,
        actual: formatMs(rtt),
      });
    step = 'SET/GET/DEL';
    const key = `gauntlet:smoke:${randomUUID()}`;
    const value = randomUUID();
    await client.set(key, value, 'PX', check.keyTtl);
    const got = await client.get(key);
    const ttl = await client.pttl(key);
    const deleted = await client.del(key);
    expectations.push({
      what: 'SET/GET round-trips the value',
      ok: got === value,
      ...(got === value ? {} : { actual: JSON.stringify(got) }),
    });
    expectations.push({ what: 'the key carries its TTL', ok: ttl > 0 && ttl <= check.keyTtl, actual: `${ttl} ms` });
    expectations.push({ what: 'DEL removes the key', ok: deleted === 1, actual: String(deleted) });
    step = 'INFO';
    const info = parseInfo(await client.info('replication'));
    const memory = parseInfo(await client.info('memory'));
    const role = info.role === 'slave' ? 'replica' : info.role;
    const used = Number(memory.used_memory);
    facts.push(`role ${role}, used_memory ${memory.used_memory_human ?? used}`);
    if (check.expect.role)
      expectations.push({
        what: `role is ${check.expect.role}`,
        ok: role === check.expect.role,
        actual: role ?? 'unknown',
      });
    if (check.expect.maxMemoryBytes !== undefined)
      expectations.push({
        what: `used memory at most ${check.expect.maxMemoryBytes} bytes`,
        ok: used <= check.expect.maxMemoryBytes,
        actual: `${used} bytes`,
      });
    return { expectations, durationMs: performance.now() - started, detail: facts.join('; ') };
  } catch (err) {
    return {
      expectations,
      durationMs: performance.now() - started,
      reason: `${step}: ${describeRedisError(err as Error, lastError, check)}`,
      detail: facts.join('; '),
    };
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    client.disconnect();
  }
}

function describeRedisError(err: Error, last: Error | undefined, check: RedisCheck): string {
  const e = (last ?? err) as NodeJS.ErrnoException;
  if (e.code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED): is Redis down?';
  if (/ETIMEDOUT|connect ETIMEDOUT/.test(e.message))
    return `no connection within ${formatMs(check.connectTimeout)} (timed out)`;
  if (/Command timed out/.test(err.message)) return `no answer within ${formatMs(check.timeout)} (timed out)`;
  for (const m of [err.message, last?.message ?? '']) if (/WRONGPASS|NOAUTH/.test(m)) return m.split('\n')[0]!;
  if (/Connection is closed/.test(err.message) && last) return last.message.split('\n')[0]!;
  return err.message || e.message;
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

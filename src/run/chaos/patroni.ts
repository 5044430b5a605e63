// Patroni's REST API, as far as the faults need it: the cluster's members and leader, a
// planned switchover, and waiting for a member to be running again.
import { cannotRun } from '../../core/errors.ts';
import type { Environment } from '../../config/schema.ts';
import { PatroniClusterBody, PatroniStatusBody, type PatroniMemberInfo } from '../../targets/patroni.ts';
import { parseAnswer } from '../../core/answer.ts';

export type { PatroniMemberInfo };

export async function readCluster(env: Environment): Promise<{ members: PatroniMemberInfo[]; from: string }> {
  const urls = env.patroni?.restUrls ?? [];
  if (!urls.length) throw cannotRun('the environment has no patroni.restUrls: db-failover needs Patroni’s REST API');
  const problems: string[] = [];
  for (const url of urls) {
    try {
      const res = await fetch(`${url.replace(/\/$/, '')}/cluster`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) {
        problems.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const at = `${url.replace(/\/$/, '')}/cluster`;
      return { members: parseAnswer(PatroniClusterBody, await res.json(), `Patroni at ${at}`).members, from: url };
    } catch (err) {
      problems.push(`${url}: ${(err as Error).message}`);
    }
  }
  throw cannotRun(`no Patroni REST API answered /cluster (${problems.join('; ')})`);
}

/** Patroni's view in one line, for the record: "n2 leader/running tl 2, n3 sync_standby/streaming lag 0, n1 absent". */
export async function clusterView(env: Environment): Promise<string> {
  try {
    const { members, from } = await readCluster(env);
    const line = members.map((m) => {
      const tl = typeof m.timeline === 'number' ? ` tl ${m.timeline}` : '';
      const lag = m.lag !== undefined && m.role !== 'leader' ? ` lag ${m.lag}` : '';
      return `${m.name} ${m.role}/${m.state}${tl}${lag}`;
    });
    return `Patroni (${from}) said: ${line.join(', ')}`;
  } catch (err) {
    return `Patroni could not be asked: ${(err as Error).message}`;
  }
}

export const restPort = (m: PatroniMemberInfo) => Number(new URL(m.api_url).port);
export const leaderOf = (members: PatroniMemberInfo[]) =>
  members.find((m) => m.role === 'leader' || m.role === 'master' || m.role === 'primary');

/** An HA cluster: a leader and at least one running replica. Anything else is a clear error before any fault. */
export async function assertHaCluster(
  env: Environment,
): Promise<{ leader: PatroniMemberInfo; replicas: PatroniMemberInfo[] }> {
  const { members } = await readCluster(env);
  const leader = leaderOf(members);
  const replicas = members.filter((m) => m !== leader && (m.state === 'running' || m.state === 'streaming'));
  if (!leader)
    throw cannotRun(
      `the Patroni cluster has no leader (members: ${members.map((m) => `${m.name} ${m.role}/${m.state}`).join(', ')}); is etcd up?`,
    );
  if (replicas.length === 0)
    throw cannotRun(`not an HA cluster: ${members.length} member(s) and no running replica to fail over to`);
  return { leader, replicas };
}

export async function switchover(leader: PatroniMemberInfo, candidate: PatroniMemberInfo): Promise<void> {
  const res = await fetch(`${new URL(leader.api_url).origin}/switchover`, {
    method: 'POST',
    body: JSON.stringify({ leader: leader.name, candidate: candidate.name }),
    headers: { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`POST /switchover answered ${res.status}: ${(await res.text()).trim()}`);
}

export async function memberRunning(apiUrl: string): Promise<boolean> {
  try {
    const res = await fetch(apiUrl, { signal: AbortSignal.timeout(1000) });
    return parseAnswer(PatroniStatusBody, await res.json(), `Patroni at ${apiUrl}`).state === 'running';
  } catch {
    return false;
  }
}

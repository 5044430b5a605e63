// A real HA PostgreSQL on loopback, run the way teams run it: three Patroni members (Debian's
// Patroni + PostgreSQL, as the postgres user), one etcd, HAProxy routing to the leader through
// Patroni's REST check. For the demo stack and the chaos tests; see shared HA-POSTGRES notes.
import { mkdirSync, readFileSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { execSql, withPg } from '../pg.ts';
import { pgBinDir } from './postgres.ts';
import { pidsWithArg } from './procs.ts';
import { alive, freePort, startDaemon, stopPid, tempDir, userIds, waitForPort, readTail } from './process.ts';
import { sleep } from '../../core/sleep.ts';
import { PatroniClusterBody } from '../patroni.ts';
import { parseAnswer } from '../../core/answer.ts';

export interface PatroniMember {
  name: string;
  pgPort: number;
  restPort: number;
  restUrl: string;
  dataDir: string;
  config: string;
  /** The Patroni process (postgres runs under it). */
  pid: number;
}

export interface PatroniCluster {
  scope: string;
  members: PatroniMember[];
  haproxyPort: number;
  /** Superuser through HAProxy: always the leader. */
  url: string;
  /** app user through HAProxy. */
  appUrl: string;
  etcdPort: number;
  /** The command that starts member `name` again (what systemd would do), for rollbacks. */
  restartCommand(name: string): string[];
  startMember(name: string): Promise<void>;
  setDcs(settings: Record<string, string | number | boolean>): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  members?: number;
  synchronous?: boolean;
}

export async function startPatroniCluster(opts: ClusterOptions = {}): Promise<PatroniCluster> {
  const n = opts.members ?? 3;
  const root = tempDir('gauntlet-ha-', 'postgres');
  const { uid, gid } = userIds('postgres');
  const pids: number[] = [];
  const stopAll = async () => {
    await Promise.all([...pids].reverse().map((p) => stopPid(p, 'SIGTERM', 15_000)));
  };
  try {
    const [etcdClient, etcdPeer, haproxyPort] = [await freePort(), await freePort(), await freePort()];
    const etcdDir = join(root, 'etcd');
    mkdirSync(etcdDir);
    const etcd = startDaemon(
      'etcd',
      [
        '--name',
        'e1',
        '--data-dir',
        etcdDir,
        '--listen-client-urls',
        `http://127.0.0.1:${etcdClient}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${etcdClient}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${etcdPeer}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${etcdPeer}`,
        '--initial-cluster',
        `e1=http://127.0.0.1:${etcdPeer}`,
        '--initial-cluster-state',
        'new',
      ],
      { log: join(root, 'etcd.log') },
    );
    pids.push(etcd.pid);
    await waitForPort(etcdClient, 10_000, 'etcd', join(root, 'etcd.log'));

    const scope = `gauntlet-${Math.random().toString(36).slice(2, 8)}`;
    const superPw = `su-${Math.random().toString(36).slice(2, 12)}`;
    const replPw = `re-${Math.random().toString(36).slice(2, 12)}`;
    const appPw = `ap-${Math.random().toString(36).slice(2, 12)}`;
    const members: PatroniMember[] = [];
    for (let i = 1; i <= n; i++) {
      const name = `n${i}`;
      const [pgPort, restPort] = [await freePort(), await freePort()];
      const dataDir = join(root, name);
      const config = join(root, `${name}.yml`);
      writeFileSync(
        config,
        patroniYaml({
          scope,
          name,
          pgPort,
          restPort,
          etcdClient,
          dataDir,
          root,
          superPw,
          replPw,
          synchronous: opts.synchronous ?? false,
        }),
      );
      chownSync(config, uid, gid);
      members.push({ name, pgPort, restPort, restUrl: `http://127.0.0.1:${restPort}`, dataDir, config, pid: 0 });
    }
    const log = (m: PatroniMember) => join(root, `${m.name}.log`);
    const launch = (m: PatroniMember) => {
      writeFileSync(log(m), '', { flag: 'a' });
      chownSync(log(m), uid, gid);
      // cwd: the run's folder may be closed to the postgres user (a 0700 temp dir); Patroni's
      // bootstrap dies on a chdir it cannot make.
      const d = startDaemon('/usr/bin/patroni', [m.config], {
        user: 'postgres',
        log: log(m),
        env: { ...process.env, HOME: root },
        cwd: root,
      });
      m.pid = d.pid;
      pids.push(d.pid);
    };
    // The first member bootstraps; the others clone from it.
    launch(members[0]!);
    await waitForPort(members[0]!.pgPort, 60_000, 'the bootstrap member', log(members[0]!));
    for (const m of members.slice(1)) launch(m);

    const cfg = join(root, 'haproxy.cfg');
    writeFileSync(cfg, haproxyConfig(haproxyPort, members));
    const haproxy = startDaemon('haproxy', ['-f', cfg, '-db'], { log: join(root, 'haproxy.log') });
    pids.push(haproxy.pid);
    await waitForPort(haproxyPort, 10_000, 'HAProxy', join(root, 'haproxy.log'));

    const url = `postgres://postgres:${superPw}@127.0.0.1:${haproxyPort}/postgres`;
    await until(
      60_000,
      async () => {
        try {
          // pg_basebackup's own WAL stream also shows as 'streaming': count the members by name.
          const sql =
            "select count(*)::int as n from pg_stat_replication where state = 'streaming' and application_name = any($1)";
          const r = await withPg({ connectionString: url, connectionTimeoutMillis: 1000 }, (c) =>
            c.query<{ n: number }>(sql, [members.map((m) => m.name)]),
          );
          return r.rows[0]!.n === n - 1;
        } catch {
          return false;
        }
      },
      () =>
        `replicas did not stream within 60 s: ${members.map((m) => `${m.name}: ${readTail(log(m), 2)}`).join(' / ')}`,
    );
    // Streaming is PostgreSQL's view; Patroni publishes a member's state to etcd once per loop
    // (10 s). Ready means Patroni, too, reports every member running — what a failover checks —
    // and, in synchronous mode, has named the synchronous standby (until then commits are async).
    let states = '';
    await until(
      30_000,
      async () => {
        try {
          const res = await fetch(`${members[0]!.restUrl}/cluster`, { signal: AbortSignal.timeout(1000) });
          const seen = parseAnswer(PatroniClusterBody, await res.json(), `Patroni at ${res.url}`).members;
          states = seen.map((m) => `${m.name} ${m.role}/${m.state}`).join(', ');
          const running = seen.length === n && seen.every((m) => m.state === 'running' || m.state === 'streaming');
          return running && (!opts.synchronous || n === 1 || seen.some((m) => m.role === 'sync_standby'));
        } catch {
          return false;
        }
      },
      () => `Patroni did not report every member running within 30 s (${states || 'no answer from /cluster'})`,
    );
    await execSql(url, `create role app login password '${appPw}'`);
    await execSql(url, 'create database app owner app');

    const restartCommand = (name: string) => {
      const m = members.find((x) => x.name === name)!;
      return ['setpriv', '--reuid', 'postgres', '--regid', 'postgres', '--init-groups', '/usr/bin/patroni', m.config];
    };
    return {
      scope,
      members,
      haproxyPort,
      url,
      appUrl: `postgres://app:${appPw}@127.0.0.1:${haproxyPort}/app`,
      etcdPort: etcdClient,
      restartCommand,
      startMember: async (name) => {
        const m = members.find((x) => x.name === name)!;
        if (alive(m.pid)) return;
        launch(m);
        await waitForPort(m.restPort, 30_000, `member ${name}`, log(m));
      },
      setDcs: async (settings) => {
        const leader = members[0]!;
        const res = await fetch(`${leader.restUrl}/config`, {
          method: 'PATCH',
          body: JSON.stringify(settings),
          headers: { 'content-type': 'application/json' },
        });
        if (!res.ok) throw new Error(`PATCH /config answered ${res.status}: ${await res.text()}`);
      },
      stop: async () => {
        // A member restarted by a rollback is not our child: find it by its config file, which
        // only this cluster's temp directory holds.
        for (const m of members) for (const pid of pidsWithArg(m.config)) if (!pids.includes(pid)) pids.push(pid);
        await stopAll();
        // Patroni stops its postgres; a postgres left by a killed Patroni is stopped by its pidfile.
        for (const m of members) {
          try {
            const pid = Number(readFileSync(join(m.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
            if (pid > 0) await stopPid(pid, 'SIGQUIT', 5000);
          } catch {
            /* no pidfile: not running */
          }
        }
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function until(timeoutMs: number, ok: () => Promise<boolean>, why: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await sleep(200);
  }
  throw new Error(why());
}

function patroniYaml(o: {
  scope: string;
  name: string;
  pgPort: number;
  restPort: number;
  etcdClient: number;
  dataDir: string;
  root: string;
  superPw: string;
  replPw: string;
  synchronous: boolean;
}): string {
  return `scope: ${o.scope}
name: ${o.name}
restapi:
  listen: 127.0.0.1:${o.restPort}
  connect_address: 127.0.0.1:${o.restPort}
etcd3:
  hosts: 127.0.0.1:${o.etcdClient}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 104857600
    primary_start_timeout: 0
    synchronous_mode: ${o.synchronous}
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_log_hints: 'on'
        wal_level: replica
        hot_standby: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 128MB
  initdb:
    - encoding: UTF8
    - locale: C
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  listen: 127.0.0.1:${o.pgPort}
  connect_address: 127.0.0.1:${o.pgPort}
  data_dir: ${o.dataDir}
  bin_dir: ${pgBinDir()}
  pgpass: ${o.root}/pgpass-${o.name}
  authentication:
    superuser:
      username: postgres
      password: ${o.superPw}
    replication:
      username: replicator
      password: ${o.replPw}
  parameters:
    unix_socket_directories: '${o.root}'
    shared_buffers: 32MB
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
`;
}

/** HAProxy as the cluster's primary endpoint: routes to whichever member Patroni's REST API calls primary. */
export function haproxyConfig(port: number, members: Pick<PatroniMember, 'name' | 'pgPort' | 'restPort'>[]): string {
  return `global
  maxconn 2000
defaults
  mode tcp
  timeout connect 300ms
  timeout client 30m
  timeout server 30m
  # A check may take 2 s: Patroni answers /primary after querying its PostgreSQL, which can be slow
  # right after a promotion on a busy machine; without this the check's limit is 'inter' (200 ms)
  # and a slow answer marks the new leader down. A dead member still fails at once (refused).
  timeout check 2s
listen primary
  bind 127.0.0.1:${port}
  option httpchk OPTIONS /primary
  http-check expect status 200
  default-server inter 200ms fastinter 200ms downinter 200ms fall 2 rise 1 on-marked-down shutdown-sessions
${members.map((m) => `  server ${m.name} 127.0.0.1:${m.pgPort} check port ${m.restPort}`).join('\n')}
`;
}

// Probes sample the system on the run's clock while faults and load run: an HTTP uptime probe,
// a DB write probe keeping a ledger (every write's outcome: acknowledged, failed, or
// indeterminate), a DB read probe. Each loops until stopped; none throws.
import { holds } from '../core/comparison.ts';
import { tlsFetch, tlsOptionsOf } from '../targets/tls.ts';
import pg from 'pg';
import { instantQuery } from '../targets/prometheus.ts';
import type { ProbeSpec } from '../config/experiment.ts';
import type { Environment } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { cannotRun } from '../core/errors.ts';
import { resolveUrl } from '../core/url.ts';
import type { LedgerEntry, Sample } from './recovery.ts';
import { sleep } from '../core/sleep.ts';

/** The config's Kubernetes allow-list, for probes that read a workload. */
export interface KubeGuardrails {
  allow: { context: string; namespaces: string[] }[];
  maxKillShare: number;
}

export interface RunningProbe {
  spec: ProbeSpec;
  samples: Sample[];
  ledger?: LedgerEntry[];
  stop(): Promise<void>;
  /** db-write: removes this run's ledger rows (after the read-back, unless --keep). */
  cleanup?(timeoutMs: number): Promise<void>;
  /** db-write: the sequence numbers the database holds for this run, read after recovery. */
  present?(timeoutMs: number): Promise<Set<number>>;
}

export async function startProbe(
  spec: ProbeSpec,
  env: Environment,
  clock: Clock,
  runId: string,
  kube?: KubeGuardrails,
): Promise<RunningProbe> {
  switch (spec.kind) {
    case 'http':
      return loop(spec, clock, async () => {
        const t0 = performance.now();
        try {
          const tls = tlsOptionsOf(env);
          const res = await (tls ? await tlsFetch(tls) : fetch)(resolveUrl(env.baseUrl, spec.path), {
            signal: AbortSignal.timeout(spec.timeout),
          });
          await res.arrayBuffer();
          return { ok: res.status >= 200 && res.status < 300, latencyMs: performance.now() - t0 };
        } catch {
          return { ok: false, latencyMs: performance.now() - t0 };
        }
      });
    case 'db-read': {
      const conn = connection(env, spec.timeout);
      return loop(
        spec,
        clock,
        async () => {
          const t0 = performance.now();
          let c: pg.Client | undefined;
          try {
            c = await conn.get();
            await c.query('select 1');
            conn.release(c);
            return { ok: true, latencyMs: performance.now() - t0 };
          } catch {
            if (c) conn.drop(c);
            return { ok: false, latencyMs: performance.now() - t0 };
          }
        },
        () => conn.drop(),
      );
    }
    case 'db-write':
      return writeProbe(spec, env, clock, runId);
    case 'kube-ready': {
      if (!env.kubernetes)
        throw cannotRun(`probe "${spec.name}": the environment has no kubernetes block (context, namespace)`);
      // Loaded only for experiments that watch a workload: the Kubernetes client is heavy.
      const { kubeTarget, workloadState } = await import('../targets/kube.ts');
      const t = kubeTarget(env.kubernetes, kube ?? { allow: [], maxKillShare: 0.5 });
      const [kind, name] = spec.workload.split('/') as ['Deployment' | 'StatefulSet', string];
      return loop(spec, clock, async () => {
        const t0 = performance.now();
        try {
          const s = await Promise.race([workloadState(t, { kind, name }), sleep(spec.timeout).then(() => undefined)]);
          return { ok: s?.done === true, latencyMs: performance.now() - t0 };
        } catch {
          return { ok: false, latencyMs: performance.now() - t0 };
        }
      });
    }
    case 'prometheus': {
      if (!env.prometheus) throw cannotRun(`probe "${spec.name}": the environment has no prometheus.url`);
      const base = env.prometheus.url;
      const meets = (x: number) => holds(x, spec.objective); // parsed by the experiment's schema
      return loop(spec, clock, async () => {
        const t0 = performance.now();
        try {
          const series = await instantQuery(base, spec.query, spec.timeout);
          const values = series.flatMap((x) => x.points.map(([, v]) => v));
          return {
            ok: values.length > 0 && values.every((v) => Number.isFinite(v) && meets(v)),
            latencyMs: performance.now() - t0,
          };
        } catch {
          return { ok: false, latencyMs: performance.now() - t0 };
        }
      });
    }
  }
}

/**
 * Samples on a fixed schedule (an open model, like the load engine): sample k starts at
 * start + k × interval whether or not earlier ones have answered, so a hang is sampled every
 * interval instead of once per timeout. Each sample is bounded by the probe's timeout, which
 * bounds how many are in flight; one that could not start for that bound counts as failed.
 */
function loop(
  spec: ProbeSpec,
  clock: Clock,
  sample: () => Promise<{ ok: boolean; latencyMs: number }>,
  cleanup?: () => void,
): RunningProbe {
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = Math.max(1, Math.ceil(spec.timeout / spec.interval) + 1);
  const start = clock.now();
  let k = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    if (stopped) return;
    const t = clock.now();
    if (inFlight.size >= maxInFlight) samples.push({ t, ok: false, latencyMs: 0 });
    else {
      const p: Promise<void> = sample()
        .then((r) => void samples.push({ t, ...r }))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    k++;
    timer = setTimeout(fire, Math.max(0, start + k * spec.interval - clock.now()));
  };
  fire();
  return {
    spec,
    samples,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...inFlight]);
      samples.sort((a, b) => a.t - b.t);
      cleanup?.();
    },
  };
}

/**
 * Connections for a probe's samples: one per sample in flight (the schedule does not wait for a
 * slow sample, and one pg connection runs one query at a time), reused when idle, closed after
 * an error. Connecting is bounded by the probe's timeout.
 */
function connection(env: Environment, timeoutMs: number) {
  const idle: pg.Client[] = [];
  const open = new Set<pg.Client>();
  return {
    async get(): Promise<pg.Client> {
      const reused = idle.pop();
      if (reused) return reused;
      const url = env.postgres?.url;
      if (!url) throw new Error('the environment has no postgres.url');
      const c = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
        application_name: 'gauntlet-probe',
      });
      c.on('error', () => {});
      try {
        await c.connect();
      } catch (err) {
        c.end().catch(() => {});
        throw err;
      }
      open.add(c);
      return c;
    },
    release(c: pg.Client): void {
      idle.push(c);
    },
    /** Closes one connection (after an error), or all of them. */
    drop(c?: pg.Client): void {
      for (const x of c ? [c] : [...open]) {
        open.delete(x);
        x.end().catch(() => {});
      }
      if (!c) idle.length = 0;
    },
  };
}

async function writeProbe(
  spec: Extract<ProbeSpec, { kind: 'db-write' }>,
  env: Environment,
  clock: Clock,
  runId: string,
): Promise<RunningProbe> {
  const conn = connection(env, spec.timeout);
  try {
    const c = await conn.get();
    await c.query(
      `create table if not exists ${spec.table} (run_id text not null, seq bigint not null, written_at timestamptz not null default now(), primary key (run_id, seq))`,
    );
    conn.release(c);
  } catch (err) {
    conn.drop();
    throw cannotRun(`probe "${spec.name}": cannot create its ledger table ${spec.table}: ${(err as Error).message}`);
  }
  const ledger: LedgerEntry[] = [];
  let seq = 0;
  const probe = loop(
    spec,
    clock,
    async () => {
      const t0 = performance.now();
      const t = clock.now();
      const mySeq = ++seq;
      let client: pg.Client;
      try {
        client = await conn.get();
      } catch {
        // Never sent: certainly not written.
        ledger.push({ seq: mySeq, t, outcome: 'failed' });
        return { ok: false, latencyMs: performance.now() - t0 };
      }
      try {
        await client.query(`insert into ${spec.table} (run_id, seq) values ($1, $2)`, [runId, mySeq]);
        ledger.push({ seq: mySeq, t, ackAtMs: clock.now(), outcome: 'acknowledged' });
        conn.release(client);
        return { ok: true, latencyMs: performance.now() - t0 };
      } catch (err) {
        // A server error (e.g. 25006 read-only after promotion) means not committed; a broken
        // connection or timeout after sending means we cannot tell.
        const sqlState = (err as { code?: string }).code;
        const definite =
          sqlState !== undefined &&
          /^[0-9A-Z]{5}$/.test(sqlState) &&
          !sqlState.startsWith('08') &&
          sqlState !== '57P01';
        ledger.push({ seq: mySeq, t, outcome: definite ? 'failed' : 'indeterminate' });
        conn.drop(client);
        return { ok: false, latencyMs: performance.now() - t0 };
      }
    },
    () => conn.drop(),
  );
  return {
    ...probe,
    ledger,
    cleanup: async (timeoutMs) => {
      const c = connection(env, Math.min(timeoutMs, 5000));
      try {
        await (await c.get()).query(`delete from ${spec.table} where run_id = $1`, [runId]);
      } finally {
        c.drop();
      }
    },
    present: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      while (Date.now() < deadline) {
        const c = connection(env, 2000);
        try {
          const client = await c.get();
          // Only the primary's answer counts: a replica may lag behind what was acknowledged.
          const { rows: role } = await client.query<{ replica: boolean }>('select pg_is_in_recovery() as replica');
          if (role[0]?.replica)
            throw new Error(
              'the server behind postgres.url is in recovery (a replica): the ledger is read only from the primary',
            );
          const rows = (
            await client.query<{ seq: string }>(`select seq::text from ${spec.table} where run_id = $1`, [runId])
          ).rows;
          return new Set(rows.map((r) => Number(r.seq)));
        } catch (err) {
          last = err;
          await sleep(250);
        } finally {
          c.drop();
        }
      }
      throw new Error(`could not read the ledger back: ${(last as Error)?.message ?? 'timed out'}`);
    },
  };
}

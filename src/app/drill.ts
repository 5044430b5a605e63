// `gauntlet drill`: the quarterly DR drill. Runs the config's drill plan — chaos experiments such
// as an API worker kill, a DB failover and a backup restore, each under load with its probes —
// and judges every scenario by its own SLOs and by the DR plan's RTO and RPO. The record carries
// a sign-off (environment, versions, config digest, operator, times) and the comparison with the
// previous drill, so the report can be handed to an auditor as it is.
import { earlierRecords } from '../record/history.ts';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { resolveEnvironment, type Flags } from '../config/load.ts';
import type { Environment } from '../config/schema.ts';
import { configError, describeError, GauntletError } from '../core/errors.ts';
import { formatMs } from '../core/duration.ts';
import type { ChaosResult, DrillResult, DrillScenario, Verdict } from '../record/schema.ts';
import { holds, parseCmp, uptimeOf } from '../slo/chaos.ts';
import { withPg } from '../targets/pg.ts';
import { VERSION } from '../version.ts';
import { loadExperiment, runChaos } from './chaos.ts';
import { runSession, type Finished, type Io, type Session, type SessionResult } from './session.ts';

export function drillApp(flags: Flags, io: Io): Promise<Finished> {
  return runSession('drill', flags, io, runDrill);
}

export async function runDrill(s: Session): Promise<SessionResult> {
  const drill = s.config.config.drill;
  if (!drill)
    throw configError(
      `${s.config.file}: no drill plan: add drill: { plan: { rto, rpo }, scenarios: [{ name, experiment }] }`,
    );
  const problems: string[] = [];
  const rto = parseCmp(drill.plan.rto, 'ms');
  const rpo = parseCmp(drill.plan.rpo, 'ms');
  if (!rto) problems.push(`drill.plan.rto "${drill.plan.rto}" is not a duration objective (e.g. "<2h")`);
  if (!rpo) problems.push(`drill.plan.rpo "${drill.plan.rpo}" is not a duration objective (e.g. "<1h")`);
  // Every experiment is read and validated before the first fault.
  const files = drill.scenarios.map((sc) => resolve(s.config.dir, sc.experiment));
  for (const f of files) {
    try {
      await loadExperiment(f, s.io.cwd);
    } catch (e) {
      if (!(e instanceof GauntletError)) throw e;
      problems.push(e.message, ...e.details);
    }
  }
  if (problems.length)
    throw configError(`${s.config.file}: the drill plan has ${problems.length} problem(s)`, problems);
  const env = resolveEnvironment(s.config, s.io.env, s.redactor);

  s.say(
    `drill: ${drill.name} — ${drill.scenarios.length} scenario(s) against ${s.config.envName}; DR plan RTO ${drill.plan.rto}, RPO ${drill.plan.rpo}`,
  );
  const chaos: ChaosResult[] = [];
  const verdicts: Verdict[] = [];
  const scenarios: DrillScenario[] = [];
  let load: SessionResult['load'];
  for (const [i, sc] of drill.scenarios.entries()) {
    if (s.signal.aborted) break;
    s.say('');
    s.say(`drill scenario ${i + 1}/${drill.scenarios.length}: ${sc.name}`);
    const own: Verdict[] = [];
    let c: ChaosResult | undefined;
    try {
      const r = await runChaos(s, files[i]!, false, `${s.runId}#${i + 1}`);
      c = r.chaos?.[0];
      load ??= r.load;
      own.push(...r.verdicts);
    } catch (e) {
      if (!(e instanceof GauntletError)) throw e;
      own.push({
        id: 'ran',
        source: 'slo',
        objective: 'the scenario ran',
        status: 'fail',
        observed: [e.message, ...e.details].join('; '),
      });
    }
    if (c) {
      chaos.push(c);
      own.push(...planVerdicts(c, drill.plan, rto!, rpo!));
    }
    const figures = c ? scenarioFigures(c) : {};
    const failed = own.filter((v) => v.status !== 'pass');
    scenarios.push({
      name: sc.name,
      experiment: sc.experiment,
      ...(c ? { chaosIndex: chaos.length - 1 } : {}),
      ...figures,
      status: own.some((v) => v.id === 'ran') ? 'error' : failed.length ? 'failed' : 'passed',
      failures: failed.map((v) => `${v.id}: ${v.observed ?? v.detail ?? v.status}`),
    });
    verdicts.push(...own.map((v) => ({ ...v, id: `${sc.name} › ${v.id}` })));
  }

  const root = resolve(s.io.cwd, s.flags.out ?? s.io.env.GAUNTLET_OUT ?? s.config.config.reports.dir);
  const earlier = earlierDrills(root, s.config.envName, drill.history);
  const prev = earlier.at(-1);
  const result: DrillResult = {
    name: drill.name,
    plan: drill.plan,
    scenarios,
    signOff: {
      environment: s.config.envName,
      operator: s.io.env.GAUNTLET_OPERATOR ?? s.io.env.USER ?? safeUser(),
      host: hostname(),
      startedAt: s.clock.startedAt,
      endedAt: '',
      config: s.config.file,
      configDigest: '',
      versions: { gauntlet: VERSION, node: process.version, ...(await targetVersions(env)) },
    },
    ...(prev
      ? { previous: { runId: prev.runId, startedAt: prev.startedAt, status: prev.status, scenarios: prev.scenarios } }
      : {}),
    history: earlier.map((d) => ({ runId: d.runId, startedAt: d.startedAt, status: d.status })),
  };
  return { chaos, verdicts, drill: result, ...(load ? { load } : {}), baseUrl: env.baseUrl };
}

/** The DR plan's RTO and RPO against what the scenario measured. */
function planVerdicts(
  c: ChaosResult,
  plan: { rto: string; rpo: string },
  rto: NonNullable<ReturnType<typeof parseCmp>>,
  rpo: NonNullable<ReturnType<typeof parseCmp>>,
): Verdict[] {
  const out: Verdict[] = [];
  const f = scenarioFigures(c);
  const injected = c.faults.filter((x) => x.injectedAtMs !== undefined);
  const base = { source: 'slo' } as const;
  if (!injected.length)
    out.push({
      ...base,
      id: 'DR plan RTO',
      objective: `RTO ${plan.rto}`,
      status: 'no-data',
      detail: 'no fault was injected',
    });
  else if (f.rtoMs === undefined) {
    const why = injected.find((x) => x.rtoMs === undefined);
    out.push({
      ...base,
      id: 'DR plan RTO',
      objective: `RTO ${plan.rto}`,
      status: 'fail',
      observed: 'not recovered',
      detail: why ? `${why.label}: ${why.error ?? why.recovery}` : undefined,
    } as Verdict);
  } else
    out.push({
      ...base,
      id: 'DR plan RTO',
      objective: `RTO ${plan.rto}`,
      status: holds(f.rtoMs, rto) ? 'pass' : 'fail',
      observed: f.rtoMs === 0 ? '0 s: no outage seen' : formatMs(f.rtoMs),
    });
  // A ledger that could not be read back still had something to measure: its RPO row says no-data.
  const measuresData = c.ledger !== undefined || c.ledgerUnverified !== undefined || c.faults.some((x) => x.restore);
  if (measuresData) {
    if (f.rpoMs === undefined)
      out.push({
        ...base,
        id: 'DR plan RPO',
        objective: `RPO ${plan.rpo}`,
        status: c.faults.some((x) => x.restore?.failure) ? 'fail' : 'no-data',
        detail: f.rpoBasis ?? 'the data loss could not be measured',
      });
    else
      out.push({
        ...base,
        id: 'DR plan RPO',
        objective: `RPO ${plan.rpo}`,
        status: holds(f.rpoMs, rpo) ? 'pass' : 'fail',
        observed: f.rpoMs === 0 ? '0 s: no data lost' : formatMs(f.rpoMs),
        ...(f.rpoBasis ? { detail: f.rpoBasis } : {}),
      });
  }
  return out.map((v) => (v.detail === undefined ? (({ detail: _d, ...rest }) => rest)(v) : v));
}

/** One scenario's figures: the worst RTO, the data lost (span) and how that was measured, uptime. */
export function scenarioFigures(
  c: ChaosResult,
): Pick<DrillScenario, 'rtoMs' | 'rtoProbe' | 'rpoMs' | 'rpoBasis' | 'lostWrites' | 'uptime' | 'uptimeProbe'> {
  const injected = c.faults.filter((x) => x.injectedAtMs !== undefined);
  const rtos = injected.map((x) => x.rtoMs);
  const out: ReturnType<typeof scenarioFigures> = {};
  if (rtos.length && rtos.every((x) => x !== undefined)) {
    out.rtoMs = Math.max(...(rtos as number[]));
    const worst = injected.find((x) => x.rtoMs === out.rtoMs)?.recoveryProbe;
    if (worst) out.rtoProbe = worst;
  }
  const restores = c.faults.map((x) => x.restore).filter((r) => r !== undefined);
  if (restores.length) {
    const ages = restores.map((r) => r.rpoMs);
    if (ages.every((a) => a !== undefined)) {
      out.rpoMs = Math.max(...(ages as number[]));
      out.rpoBasis = `restored copy’s age — ${restores
        .map((r) => r.rpoBasis)
        .filter(Boolean)
        .join('; ')}`;
    } else
      out.rpoBasis = restores
        .map((r) => r.failure ?? r.rpoBasis)
        .filter(Boolean)
        .join('; ');
    const lost = restores.map((r) => r.lostWrites).filter((x) => x !== undefined);
    if (lost.length) out.lostWrites = Math.max(...lost);
  } else if (c.ledger) {
    out.rpoMs = c.ledger.lost.length ? c.ledger.lostSpanMs : 0;
    out.lostWrites = c.ledger.lost.length;
    out.rpoBasis = `write ledger: ${c.ledger.lost.length} of ${c.ledger.acknowledged} acknowledged writes lost${c.ledger.lost.length ? ` (#${c.ledger.lost.map((l) => l.seq).join(', #')})` : ''}`;
  } else if (c.ledgerUnverified) {
    out.rpoBasis = c.ledgerUnverified;
  }
  const http = c.probes.find((p) => p.kind === 'http');
  const u = http ? uptimeOf(http) : undefined;
  if (u !== undefined) {
    out.uptime = u;
    out.uptimeProbe = http!.name;
  }
  return out;
}

interface EarlierDrill {
  runId: string;
  startedAt: string;
  status: string;
  scenarios: Pick<DrillScenario, 'name' | 'rtoMs' | 'rpoMs' | 'status'>[];
}

/** Earlier drills of this environment in the reports root, oldest first. */
export function earlierDrills(root: string, env: string, n: number): EarlierDrill[] {
  return earlierRecords(root, (r) => r.command === 'drill' && !!r.drill && r.environment.name === env)
    .slice(-n)
    .map((r) => ({
      runId: r.runId,
      startedAt: r.startedAt,
      status: r.status,
      scenarios: r.drill!.scenarios.map((x) => ({
        name: x.name,
        status: x.status,
        ...(x.rtoMs !== undefined ? { rtoMs: x.rtoMs } : {}),
        ...(x.rpoMs !== undefined ? { rpoMs: x.rpoMs } : {}),
      })),
    }));
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** What the target says it runs, best effort: PostgreSQL's version, Patroni's. */
async function targetVersions(env: Environment): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (env.postgres?.url) {
    try {
      const config = { connectionString: env.postgres.url, connectionTimeoutMillis: 3000, query_timeout: 3000 };
      out.postgresql = await withPg(
        config,
        async (c) => (await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v,
      );
    } catch (e) {
      out.postgresql = `unknown (${describeError(e)})`;
    }
  }
  const rest = env.patroni?.restUrls[0];
  if (rest) {
    try {
      const r = await fetch(`${rest.replace(/\/$/, '')}/patroni`, { signal: AbortSignal.timeout(3000) });
      const body = (await r.json()) as { patroni?: { version?: string } };
      if (body.patroni?.version) out.patroni = body.patroni.version;
    } catch {
      out.patroni = 'unknown (REST API did not answer)';
    }
  }
  return out;
}

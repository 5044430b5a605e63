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
import type { ChaosResult, DrillResult, DrillScenario, Verdict } from '../record/schema.ts';
import { formatObjective } from '../core/comparison.ts';
import { PatroniStatusBody } from '../targets/patroni.ts';
import { parseAnswer } from '../core/answer.ts';
import { planVerdicts, scenarioDidNotRun, scenarioFigures, scenarioStatus } from '../slo/drill.ts';
import { inPhase } from '../slo/verdict.ts';
import { withPg } from '../targets/pg.ts';
import { VERSION } from '../version.ts';
import { runChaos } from './chaos.ts';
import { runSession, type Finished, type Io, type Session, type SessionResult } from './session.ts';

export function drillApp(flags: Flags, io: Io): Promise<Finished> {
  return runSession('drill', flags, io, runDrill, { drill: true });
}

export async function runDrill(s: Session): Promise<SessionResult> {
  const drill = s.config.config.drill;
  if (!drill)
    throw configError(
      `${s.config.file}: no drill plan: add drill: { plan: { rto, rpo }, scenarios: [{ name, experiment }] }`,
    );
  // The config's schema parsed the DR plan's objectives, and the plan stage (plan/plan.ts) read
  // every experiment before this runs: a drill is started only whole.
  const { rto, rpo } = drill.plan;
  const plan = { rto: formatObjective(rto), rpo: formatObjective(rpo) };
  const files = drill.scenarios.map((sc) => resolve(s.config.dir, sc.experiment));
  const env = resolveEnvironment(s.config, s.io.env, s.redactor);

  s.say(
    `drill: ${drill.name} — ${drill.scenarios.length} scenario(s) against ${s.config.envName}; DR plan RTO ${plan.rto}, RPO ${plan.rpo}`,
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
      own.push(scenarioDidNotRun([e.message, ...e.details].join('; ')));
    }
    if (c) {
      chaos.push(c);
      own.push(...planVerdicts(c, plan, rto, rpo));
    }
    const figures = c ? scenarioFigures(c) : {};
    scenarios.push({
      name: sc.name,
      experiment: sc.experiment,
      ...(c ? { chaosIndex: chaos.length - 1 } : {}),
      ...figures,
      ...scenarioStatus(own),
    });
    verdicts.push(...own.map((v) => inPhase(v, sc.name)));
  }

  const root = resolve(s.io.cwd, s.flags.out ?? s.io.env.GAUNTLET_OUT ?? s.config.config.reports.dir);
  const earlier = earlierDrills(root, s.config.envName, drill.history);
  const prev = earlier.at(-1);
  const result: DrillResult = {
    name: drill.name,
    plan,
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
      const body = parseAnswer(PatroniStatusBody, await r.json(), `Patroni at ${r.url}`);
      if (body.patroni?.version) out.patroni = body.patroni.version;
    } catch (e) {
      out.patroni = `unknown (${describeError(e)})`;
    }
  }
  return out;
}

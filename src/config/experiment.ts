// The model of a chaos experiment, shaped like Chaos Toolkit's: a steady-state hypothesis
// (probes), a method (faults on a schedule), load and probes during, rollbacks that always run,
// abort conditions, and the SLOs the outcome is judged by.
import { z } from 'zod';
import { parseNumericComparison, parsePercent } from '../core/comparison.ts';
import { ObjectiveText } from './objective.ts';
import { Duration } from './primitives.ts';
import { FormatVersion } from './version.ts';

const probeCommon = { name: z.string().min(1), timeout: Duration.default(1000) };

export const ProbeSpec = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('http'),
      ...probeCommon,
      path: z.string().default('/health'),
      interval: Duration.default(200),
    })
    .strict(),
  z
    .object({
      kind: z.literal('db-write'),
      ...probeCommon,
      interval: Duration.default(20),
      timeout: Duration.default(2000),
      table: z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/)
        .default('gauntlet_ledger'),
    })
    .strict()
    .describe('Writes a sequence number every interval; the ledger of outcomes gives RPO'),
  z.object({ kind: z.literal('db-read'), ...probeCommon, interval: Duration.default(200) }).strict(),
  z
    .object({
      kind: z.literal('prometheus'),
      ...probeCommon,
      timeout: Duration.default(3000),
      interval: Duration.default(5000),
      query: z.string().min(1).describe('PromQL, evaluated instantly each interval on the environment’s Prometheus'),
      objective: z
        .string()
        .regex(/^\s*(<=|>=|<|>|==)\s*-?\d+(\.\d+)?(e-?\d+)?\s*$/, {
          message: 'an objective is a comparison with a number, e.g. "<0.01"',
        })
        .transform((text, ctx) => {
          const c = parseNumericComparison(text);
          if (c) return c;
          ctx.addIssue({ code: 'custom', message: `"${text}" is not a comparison with a number, e.g. "<0.01"` });
          return z.NEVER;
        })
        .describe('A comparison each series’ value must meet, e.g. "<0.01" (the operator is required)'),
    })
    .strict()
    .describe('Healthy when every series the query returns meets the objective (no series: unhealthy)'),
  z
    .object({
      kind: z.literal('kube-ready'),
      ...probeCommon,
      timeout: Duration.default(3000),
      interval: Duration.default(500),
      workload: z.string().regex(/^(Deployment|StatefulSet)\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
        message: 'expected Deployment/<name> or StatefulSet/<name>',
      }),
    })
    .strict()
    .describe(
      'Healthy when the workload (in the environment’s kube context and namespace) has every replica Ready and updated',
    ),
]);
export type ProbeSpec = z.infer<typeof ProbeSpec>;

const TableName = z.string().regex(/^[a-z_][a-z0-9_.]*$/);

export const FaultSpec = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('db-failover'),
      mode: z
        .enum(['kill-postmaster', 'kill-patroni', 'switchover', 'lag-then-kill'])
        .describe(
          "kill-postmaster: kill -9 the leader's postmaster; kill-patroni: kill -9 the leader's Patroni and postmaster; switchover: Patroni's REST API; lag-then-kill: SIGSTOP the leader's walsenders, then kill-patroni",
        ),
      lagFor: Duration.default(2000).describe('lag-then-kill: how long replication is held back before the kill'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('process-kill'),
      pidFile: z.string().describe('The supervisor (or the process itself) by its pid file'),
      children: z
        .boolean()
        .default(true)
        .describe('Kill children of that process (e.g. cluster workers), not the process'),
      count: z.number().int().positive().default(1),
      signal: z.enum(['SIGKILL', 'SIGTERM', 'SIGINT']).default('SIGKILL'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('pod-kill'),
      namespace: z.string().optional().describe('Default: the environment’s kubernetes.namespace'),
      selector: z.string().min(1).describe('Label selector, e.g. app=api'),
      mode: z
        .enum(['one', 'all', 'fixed', 'fixed-percent', 'random-max-percent'])
        .default('one')
        .describe("Chaos Mesh's modes"),
      value: z
        .number()
        .positive()
        .optional()
        .describe('fixed: how many; fixed-percent / random-max-percent: a percentage'),
      gracePeriod: Duration.default(0).describe('0 = force (no graceful termination)'),
    })
    .strict()
    .refine((f) => !['fixed', 'fixed-percent', 'random-max-percent'].includes(f.mode) || f.value !== undefined, {
      message: 'this mode needs a value',
      path: ['value'],
    }),
  z
    .object({
      kind: z.literal('rolling-restart'),
      namespace: z.string().optional(),
      workload: z.object({ kind: z.enum(['Deployment', 'StatefulSet']), name: z.string().min(1) }).strict(),
    })
    .strict()
    .describe('What `kubectl rollout restart` does: the restartedAt annotation on the pod template'),
  z
    .object({
      kind: z.literal('kube-db-failover'),
      namespace: z.string().optional(),
      operator: z
        .enum(['cnpg', 'patroni'])
        .describe('cnpg: label cnpg.io/instanceRole=primary; patroni: role=master (role=primary from Patroni 4)'),
      selector: z.string().optional().describe('Override the primary’s label selector'),
      cluster: z.string().optional().describe('Narrow to one database cluster (cnpg.io/cluster=… or cluster-name=…)'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('backup-restore'),
      backup: z
        .discriminatedUnion('method', [
          z
            .object({
              method: z.literal('pg_dump'),
              keep: z.string().optional().describe('Folder to keep the dump in (default: removed after the drill)'),
            })
            .strict()
            .describe(
              "A fresh pg_dump (custom format) of the environment's database, in one snapshot with the source checksums",
            ),
          z
            .object({
              method: z.literal('latest'),
              dir: z.string(),
              pattern: z
                .string()
                .default('*.dump')
                .describe('Glob of backup files; the newest by modification time is restored'),
            })
            .strict()
            .describe('The newest existing backup file in a folder (what the backup job left)'),
          z
            .object({
              method: z.literal('command'),
              command: z
                .array(z.string())
                .min(1)
                .describe('Writes the backup to {{file}}, e.g. a pgBackRest or WAL-G fetch'),
            })
            .strict(),
        ])
        .default({ method: 'pg_dump' }),
      restoreCommand: z
        .array(z.string())
        .min(1)
        .optional()
        .describe(
          'Restores {{file}} into {{url}} (the scratch instance); default pg_restore (custom format) or psql (.sql)',
        ),
      container: z
        .object({
          image: z
            .string()
            .default('postgres:{major}')
            .describe("The scratch PostgreSQL's image; {major} is the source's major version (server_version_num)"),
          use: z
            .enum(['auto', 'always', 'never'])
            .default('auto')
            .describe(
              "auto: a container (through Docker, with testcontainers) when the source's major differs from the local binaries'; always; never: the local binaries only",
            ),
        })
        .strict()
        .default({ image: 'postgres:{major}', use: 'auto' })
        .describe(
          'Restore with the PostgreSQL major that made the backup: the image must be in the Docker engine (never pulled)',
        ),
      scratchPort: z
        .number()
        .int()
        .min(1)
        .max(65535)
        .optional()
        .describe('Port of the scratch PostgreSQL (default: a free one)'),
      tables: z
        .array(
          z.union([
            TableName,
            z
              .object({ name: TableName, rows: z.number().int().nonnegative().describe('Rows the copy must hold') })
              .strict(),
          ]),
        )
        .default([])
        .describe(
          'Row count and checksum of each in the copy, compared with the source at the dump snapshot (pg_dump) or with the expected rows given here (latest, command: no source snapshot exists)',
        ),
      verify: z
        .array(
          z
            .object({
              name: z.string().min(1),
              sql: z.string().min(1),
              expect: z
                .union([z.string(), z.number(), z.boolean(), z.null()])
                .optional()
                .describe(
                  'The first column of the first row, compared typed: numbers as numbers (numeric "4999.00" = 4999), booleans as booleans, null only with NULL, else as text; without it, the query must return a row',
                ),
            })
            .strict(),
        )
        .default([])
        .describe('Verification queries on the restored copy, e.g. a canary row'),
      freshness: z
        .string()
        .optional()
        .describe(
          'SQL returning the newest data timestamp in the copy (e.g. select max(created_at) from orders): the RPO is its age at the fault',
        ),
      timeout: Duration.default(600_000).describe('The backup, the restore and the verification each end by then'),
    })
    .strict(),
]);
export type FaultSpec = z.infer<typeof FaultSpec>;

export const ExperimentSlos = z
  .object({
    rto: ObjectiveText('rto', '"<30s" (no operator: at most)').optional(),
    rpo: ObjectiveText(
      'rpo',
      '"0 writes", "<=10 writes" or "<1s" (span of lost writes; no operator: at most)',
    ).optional(),
    uptime: ObjectiveText(
      'uptime',
      '">=99%" or "99%" (no operator: at least) of the first http probe, or the one named in uptimeProbe',
    ).optional(),
    uptimeProbe: z.string().optional(),
  })
  .strict()
  .describe(
    'What the outcome is judged by; a key left out takes the config’s slos.rto/rpo/uptime when it can be measured',
  )
  .default({});
export type ExperimentSlos = z.infer<typeof ExperimentSlos>;

const ExperimentObject = z
  .object({
    version: FormatVersion,
    name: z.string().min(1),
    description: z.string().optional(),
    probes: z
      .array(ProbeSpec)
      .default([])
      .describe(
        'Kubernetes faults measure their recovery through the API; HTTP and DB probes add what users and the data saw',
      ),
    steadyState: z
      .object({
        probes: z.array(z.string()).optional().describe('Default: every probe'),
        samples: z.number().int().positive().default(3),
        timeout: Duration.default(30_000),
      })
      .strict()
      .default({ samples: 3, timeout: 30_000 }),
    method: z
      .array(
        z
          .object({
            fault: FaultSpec,
            at: Duration.default(0),
            count: z.number().int().positive().default(1),
            interval: Duration.default(10_000),
          })
          .strict(),
      )
      .min(1),
    load: z
      .string()
      .optional()
      .describe('A load profile to run during the experiment (path, relative to the experiment file)'),
    duration: Duration.describe('The observation window, from the start of the method'),
    recovery: z
      .object({ healthySamples: z.number().int().positive().default(5), timeout: Duration.default(120_000) })
      .strict()
      .default({ healthySamples: 5, timeout: 120_000 }),
    slos: ExperimentSlos,
    alerts: z
      .array(
        z
          .object({
            name: z.string().optional().describe('alertname; without it, any alert matching the labels'),
            labels: z.record(z.string(), z.string()).default({}).describe('e.g. { severity: critical }'),
            expect: z
              .enum(['fires', 'silent'])
              .describe(
                'fires: must be active within `within` of the first injection; silent: must never be active in the window',
              ),
            within: Duration.optional(),
          })
          .strict(),
      )
      .default([])
      .describe(
        "Alertmanager's active alerts (the environment's alertmanager.url), polled every second during the experiment",
      ),
    abort: z
      .object({
        uptimeBelow: z
          .string()
          .regex(/^\d+(\.\d+)?%$/, { message: 'expected a percentage, e.g. "50%"' })
          .transform((text, ctx) => {
            const ratio = parsePercent(text);
            if (ratio !== undefined && ratio <= 1) return ratio;
            ctx.addIssue({ code: 'custom', message: `"${text}" is not a percentage, e.g. "50%"` });
            return z.NEVER;
          })
          .optional()
          .describe('Stop injecting once the http probe’s uptime so far falls below this, e.g. "50%"'),
        probeFailing: z
          .string()
          .optional()
          .describe(
            'Stop injecting once this probe’s latest sample is unhealthy (e.g. a prometheus probe on the error ratio)',
          ),
      })
      .strict()
      .default({}),
  })
  .strict();

export const Experiment = ExperimentObject.superRefine((e, ctx) => {
  const names = e.probes.map((p) => p.name);
  for (const n of e.steadyState.probes ?? [])
    if (!names.includes(n))
      ctx.addIssue({
        code: 'custom',
        path: ['steadyState', 'probes'],
        message: `no probe named "${n}" (probes: ${names.join(', ')})`,
      });
  if (e.slos.uptimeProbe && !names.includes(e.slos.uptimeProbe))
    ctx.addIssue({
      code: 'custom',
      path: ['slos', 'uptimeProbe'],
      message: `no probe named "${e.slos.uptimeProbe}"`,
    });
  if (
    e.slos.rpo &&
    !e.probes.some((p) => p.kind === 'db-write') &&
    !e.method.some((m) => m.fault.kind === 'backup-restore' && m.fault.freshness)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['slos', 'rpo'],
      message:
        'an RPO objective needs a db-write probe (or a backup-restore fault with a freshness query) to measure it',
    });
  }
  if (e.slos.uptime && !e.probes.some((p) => p.kind === 'http'))
    ctx.addIssue({ code: 'custom', path: ['slos', 'uptime'], message: 'an uptime objective needs an http probe' });
  if (e.abort.probeFailing && !names.includes(e.abort.probeFailing))
    ctx.addIssue({
      code: 'custom',
      path: ['abort', 'probeFailing'],
      message: `no probe named "${e.abort.probeFailing}"`,
    });
  if (new Set(names).size !== names.length)
    ctx.addIssue({ code: 'custom', path: ['probes'], message: 'probe names must be unique' });
  // Without a source snapshot, a table that is merely present proves nothing: a truncated copy has it too.
  // Format 1 wrote such tables as names; they are read on (experiments.ts), refused only in format 2.
  if (e.version === 2)
    for (const { path, table, method } of bareTables(e))
      ctx.addIssue({
        code: 'custom',
        path,
        message: `expected { name: ${table}, rows: N }: with backup method "${method}" there is no source snapshot to compare ${table} with, so give the rows the copy must hold (a bare name is format 1: README "Config changes")`,
      });
});

/** Tables named without rows in a restore that has no source snapshot to compare them with (format 1's shape). */
export function bareTables(e: Pick<z.output<typeof ExperimentObject>, 'method'>) {
  return e.method.flatMap((m, i) => {
    const f = m.fault;
    if (f.kind !== 'backup-restore' || f.backup.method === 'pg_dump') return [];
    const method = f.backup.method;
    return f.tables.flatMap((t, j) =>
      typeof t === 'string' ? [{ path: ['method', i, 'fault', 'tables', j], at: i, index: j, table: t, method }] : [],
    );
  });
}
export type Experiment = z.infer<typeof Experiment>;
export type ExperimentInput = z.input<typeof Experiment>;
export const defineExperiment = (e: ExperimentInput): ExperimentInput => e;

// The chaos part of the HTML report: faults with their RTO, one timeline of the experiment (the
// load, the writes, the probes; every fault shaded from injection to recovery), the write ledger
// with lost writes by sequence number and time, and what the rollbacks did.
import type { ChaosResult } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';
import { escapeHtml as h } from './escape.ts';
import { kvRow, num, row, table } from './markup.ts';
import { experimentTimeline, timelineHtml } from './timeline.ts';

type Fault = ChaosResult['faults'][number];
type Restore = NonNullable<Fault['restore']>;

const msOr = (v: number | undefined) => (v === undefined ? '—' : h(formatMs(v)));
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function chaosSection(c: ChaosResult, index = 0): string {
  const chartId = index === 0 ? 'chart-chaos' : `chart-chaos-${index}`;
  const rel = (ms: number) => `+${formatMs(Math.max(0, ms - c.windowStartMs))}`;
  const faults = c.faults.map((f) => {
    const events = f.events.length
      ? `<ul class="events">${f.events.map((e) => `<li>${h(rel(e.atMs))} ${h(e.what)}</li>`).join('')}</ul>`
      : '';
    return row([
      h(f.id),
      h(f.label),
      h(f.target),
      num(f.injectedAtMs === undefined ? '—' : h(rel(f.injectedAtMs))),
      num(msOr(f.rtoMs)),
      num(`${msOr(f.loadRtoMs)}${f.loadRecovery ? `<div class="dim">${h(f.loadRecovery)}</div>` : ''}`),
      `${h(f.error ?? f.recovery)}${events}`,
    ]);
  });
  const healthy = (p: ChaosResult['probes'][number]) => {
    const u = p.coveredMs ? (p.healthyMs ?? 0) / p.coveredMs : p.total ? p.ok / p.total : undefined;
    return u === undefined ? '—' : `${(u * 100).toFixed(2)}%`;
  };
  const probes = c.probes.map((p) =>
    row([h(p.name), h(p.kind), num(formatMs(p.intervalMs)), num(healthy(p)), num(`${p.ok}/${p.total}`)]),
  );
  const rollbacks = c.rollbacks.length
    ? `<h3>Rollbacks</h3><ul>${c.rollbacks
        .map((r) => {
          const failed = r.error ? ` <b class="bad">failed: ${h(r.error)}</b>` : '';
          return `<li>${h(r.fault)}: ${r.actions.map(h).join('; ') || 'nothing to do'}${failed}</li>`;
        })
        .join('')}</ul>`
    : '';
  const timeline = experimentTimeline(c, chartId);
  const steady = c.steadyState;
  return `<h2>Chaos <span class="dim">${h(c.experiment)}${c.dryRun ? ' · dry run' : ''}</span></h2>
${c.description ? `<p>${h(c.description)}</p>` : ''}
${c.stoppedEarly ? `<div class="errors"><b>Stopped early:</b> ${h(c.stoppedEarly)}</div>` : ''}
<p class="dim">Window ${formatMs(c.windowEndMs - c.windowStartMs)}; steady state before: ${h(steady.before)},
after: ${h(steady.after)}${steady.detail ? ` (${h(steady.detail)})` : ''}.
RTO runs from the injection to the first of N healthy samples in a row after the outage began.</p>
${table(['#', 'fault', 'target', 'injected', 'RTO', 'RTO seen by the load', 'recovery'], faults)}
${timeline ? timelineHtml(timeline) : ''}
${c.load ? `<p class="dim">Load during the experiment: ${h(c.load.profile)} on the ${h(c.load.engine)} engine.</p>` : ''}
${c.probes.length ? table(['probe', 'kind', 'interval', 'healthy time in window', 'samples'], probes) : ''}
${c.faults.map((f) => (f.restore ? restorePart(f, f.restore) : '')).join('')}
${ledgerPart(c, rel)}
${rollbacks}`;
}

/** The write ledger: every write's outcome, and the acknowledged ones that are gone. */
function ledgerPart(c: ChaosResult, rel: (ms: number) => string): string {
  const l = c.ledger;
  if (!l) return '';
  const lost = l.lost.length;
  const counts =
    `${l.acknowledged} acknowledged · ${l.failed} failed · ${l.indeterminate} indeterminate · ` +
    `${l.recovered} not acknowledged but found committed · <b>${plural(lost, 'acknowledged write')} lost</b>` +
    `${lost ? `, spanning ${formatMs(l.lostSpanMs)}` : ''}. <span class="dim">${h(l.verified)}.</span>`;
  const rows = l.lost.slice(0, 500).map((x) => row([x.seq, num(h(rel(x.atMs)))]));
  const more = lost > 500 ? `<p class="dim">… and ${lost - 500} more (all in run.json)</p>` : '';
  const list = lost
    ? '<details open><summary>Lost writes (sequence number, time acknowledged)</summary>' +
      `<div class="body">${table(['seq', 'acknowledged at'], rows)}${more}</div></details>`
    : '';
  return `<h3>Write ledger <span class="dim">${h(l.probe)}</span></h3>
<p>${counts}</p>
${list}`;
}

/** A backup restored into scratch: what was restored, how long it took, what matched the source. */
function restorePart(f: Fault, r: Restore): string {
  const tables = r.tables.map((t) =>
    row([
      `<code>${h(t.table)}</code>`,
      num(t.rows ?? '—'),
      num(t.sourceRows ?? '—'),
      `<code>${h((t.checksum ?? '—').slice(0, 12))}</code>`,
      `<code>${h((t.sourceChecksum ?? '—').slice(0, 12))}</code>`,
      t.ok ? 'match' : `<b class="bad">${h(t.detail ?? 'mismatch')}</b>`,
    ]),
  );
  const checks = r.verification.map((v) =>
    row([h(v.name), v.ok ? 'passed' : '<b class="bad">failed</b>', h(v.detail)]),
  );
  const b = r.backup;
  const missing = r.lostWrites !== undefined ? ` · ${plural(r.lostWrites, 'acknowledged write')} missing` : '';
  const kv = [
    kvRow([
      ['backup', `${h(b.file ?? '—')}${b.bytes !== undefined ? ` (${b.bytes} bytes)` : ''}`],
      ['taken', `${h(b.takenAt ?? '—')}${b.tookMs !== undefined ? ` in ${h(formatMs(b.tookMs))}` : ''}`],
    ]),
    kvRow([
      ['restored into', `${h(r.scratch ?? '—')} (removed after)`],
      ['restore RTO', num(msOr(r.restoreTookMs))],
    ]),
    kvRow([
      ['RPO', num(`${msOr(r.rpoMs)}${missing}`)],
      ['measured by', h(r.rpoBasis ?? '—')],
    ]),
  ];
  const head = ['table', 'rows in copy', 'rows at dump', 'checksum (copy)', 'checksum (source)', ''];
  return `<h3>Backup restore ${h(f.id)} <span class="dim">${h(b.method)}</span></h3>
${r.failure ? `<div class="errors"><b>Restore failed:</b> ${h(r.failure)}</div>` : ''}
<table class="kv"><tbody>
${kv.join('\n')}
</tbody></table>
${tables.length ? table(head, tables) : ''}
${checks.length ? table(['verification', 'result', 'detail'], checks) : ''}`;
}

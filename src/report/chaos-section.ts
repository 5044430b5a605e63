// The chaos part of the HTML report: faults with their RTO, one timeline of the experiment (the
// load, the writes, the probes; every fault shaded from injection to recovery), the write ledger
// with lost writes by sequence number and time, and what the rollbacks did.
import type { ChaosResult } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';
import { escapeHtml as h } from './escape.ts';
import { experimentTimeline, timelineHtml } from './timeline.ts';

export function chaosSection(c: ChaosResult, index = 0): string {
  const chartId = index === 0 ? 'chart-chaos' : `chart-chaos-${index}`;
  const rel = (ms: number) => `+${formatMs(Math.max(0, ms - c.windowStartMs))}`;
  const faults = c.faults
    .map(
      (f) =>
        `<tr><td>${h(f.id)}</td><td>${h(f.label)}</td><td>${h(f.target)}</td><td class="num">${f.injectedAtMs === undefined ? '—' : h(rel(f.injectedAtMs))}</td><td class="num">${f.rtoMs === undefined ? '—' : h(formatMs(f.rtoMs))}</td><td class="num">${f.loadRtoMs === undefined ? '—' : h(formatMs(f.loadRtoMs))}${f.loadRecovery ? `<div class="dim">${h(f.loadRecovery)}</div>` : ''}</td><td>${h(f.error ?? f.recovery)}${f.events.length ? `<ul class="events">${f.events.map((e) => `<li>${h(rel(e.atMs))} ${h(e.what)}</li>`).join('')}</ul>` : ''}</td></tr>`,
    )
    .join('');
  const probes = c.probes
    .map(
      (p) =>
        `<tr><td>${h(p.name)}</td><td>${h(p.kind)}</td><td class="num">${formatMs(p.intervalMs)}</td><td class="num">${((u) => (u === undefined ? '—' : `${(u * 100).toFixed(2)}%`))(p.coveredMs ? (p.healthyMs ?? 0) / p.coveredMs : p.total ? p.ok / p.total : undefined)}</td><td class="num">${p.ok}/${p.total}</td></tr>`,
    )
    .join('');
  const l = c.ledger;
  const ledger = l
    ? `<h3>Write ledger <span class="dim">${h(l.probe)}</span></h3>
<p>${l.acknowledged} acknowledged · ${l.failed} failed · ${l.indeterminate} indeterminate · ${l.recovered} not acknowledged but found committed · <b>${l.lost.length} acknowledged write${l.lost.length === 1 ? '' : 's'} lost</b>${l.lost.length ? `, spanning ${formatMs(l.lostSpanMs)}` : ''}. <span class="dim">${h(l.verified)}.</span></p>
${
  l.lost.length
    ? `<details open><summary>Lost writes (sequence number, time acknowledged)</summary><div class="body"><table><thead><tr><th>seq</th><th>acknowledged at</th></tr></thead><tbody>${l.lost
        .slice(0, 500)
        .map((x) => `<tr><td class="num">${x.seq}</td><td class="num">${h(rel(x.atMs))}</td></tr>`)
        .join(
          '',
        )}</tbody></table>${l.lost.length > 500 ? `<p class="dim">… and ${l.lost.length - 500} more (all in run.json)</p>` : ''}</div></details>`
    : ''
}`
    : '';
  const restores = c.faults
    .filter((f) => f.restore)
    .map((f) => {
      const r = f.restore!;
      const tables = r.tables
        .map(
          (t) =>
            `<tr><td><code>${h(t.table)}</code></td><td class="num">${t.rows ?? '—'}</td><td class="num">${t.sourceRows ?? '—'}</td><td><code>${h((t.checksum ?? '—').slice(0, 12))}</code></td><td><code>${h((t.sourceChecksum ?? '—').slice(0, 12))}</code></td><td>${t.ok ? 'match' : `<b class="bad">${h(t.detail ?? 'mismatch')}</b>`}</td></tr>`,
        )
        .join('');
      const checks = r.verification
        .map(
          (v) =>
            `<tr><td>${h(v.name)}</td><td>${v.ok ? 'passed' : '<b class="bad">failed</b>'}</td><td>${h(v.detail)}</td></tr>`,
        )
        .join('');
      return `<h3>Backup restore ${h(f.id)} <span class="dim">${h(r.backup.method)}</span></h3>
${r.failure ? `<div class="errors"><b>Restore failed:</b> ${h(r.failure)}</div>` : ''}
<table class="kv"><tbody>
<tr><th>backup</th><td>${h(r.backup.file ?? '—')}${r.backup.bytes !== undefined ? ` (${r.backup.bytes} bytes)` : ''}</td><th>taken</th><td>${h(r.backup.takenAt ?? '—')}${r.backup.tookMs !== undefined ? ` in ${h(formatMs(r.backup.tookMs))}` : ''}</td></tr>
<tr><th>restored into</th><td>${h(r.scratch ?? '—')} (removed after)</td><th>restore RTO</th><td class="num">${r.restoreTookMs === undefined ? '—' : h(formatMs(r.restoreTookMs))}</td></tr>
<tr><th>RPO</th><td class="num">${r.rpoMs === undefined ? '—' : h(formatMs(r.rpoMs))}${r.lostWrites !== undefined ? ` · ${r.lostWrites} acknowledged write${r.lostWrites === 1 ? '' : 's'} missing` : ''}</td><th>measured by</th><td>${h(r.rpoBasis ?? '—')}</td></tr>
</tbody></table>
${tables ? `<table><thead><tr><th>table</th><th>rows in copy</th><th>rows at dump</th><th>checksum (copy)</th><th>checksum (source)</th><th></th></tr></thead><tbody>${tables}</tbody></table>` : ''}
${checks ? `<table><thead><tr><th>verification</th><th>result</th><th>detail</th></tr></thead><tbody>${checks}</tbody></table>` : ''}`;
    })
    .join('');
  const rollbacks = c.rollbacks.length
    ? `<h3>Rollbacks</h3><ul>${c.rollbacks.map((r) => `<li>${h(r.fault)}: ${r.actions.map(h).join('; ') || 'nothing to do'}${r.error ? ` <b class="bad">failed: ${h(r.error)}</b>` : ''}</li>`).join('')}</ul>`
    : '';
  const timeline = experimentTimeline(c, chartId);
  const html = `<h2>Chaos <span class="dim">${h(c.experiment)}${c.dryRun ? ' · dry run' : ''}</span></h2>
${c.description ? `<p>${h(c.description)}</p>` : ''}
${c.stoppedEarly ? `<div class="errors"><b>Stopped early:</b> ${h(c.stoppedEarly)}</div>` : ''}
<p class="dim">Window ${formatMs(c.windowEndMs - c.windowStartMs)}; steady state before: ${h(c.steadyState.before)}, after: ${h(c.steadyState.after)}${c.steadyState.detail ? ` (${h(c.steadyState.detail)})` : ''}. RTO runs from the injection to the first of N healthy samples in a row after the outage began.</p>
<table><thead><tr><th>#</th><th>fault</th><th>target</th><th>injected</th><th>RTO</th><th>RTO seen by the load</th><th>recovery</th></tr></thead><tbody>${faults}</tbody></table>
${timeline ? timelineHtml(timeline) : ''}
${c.load ? `<p class="dim">Load during the experiment: ${h(c.load.profile)} on the ${h(c.load.engine)} engine.</p>` : ''}
${
  c.probes.length
    ? `<table><thead><tr><th>probe</th><th>kind</th><th>interval</th><th>healthy time in window</th><th>samples</th></tr></thead><tbody>${probes}</tbody></table>`
    : ''
}
${restores}
${ledger}
${rollbacks}`;
  return html;
}

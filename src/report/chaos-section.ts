// The chaos part of the HTML report: faults with their RTO, the probes' health on one
// timeline with every fault event drawn on it, the write ledger with lost writes by sequence
// number and time, and what the rollbacks did.
import type { ChaosResult } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';
import { escapeHtml as h } from './escape.ts';

export function chaosSection(c: ChaosResult, index = 0): { html: string; script: string } {
  const chartId = index === 0 ? 'chart-chaos' : `chart-chaos-${index}`;
  const rel = (ms: number) => `+${formatMs(Math.max(0, ms - c.windowStartMs))}`;
  const faults = c.faults
    .map(
      (f) =>
        `<tr><td>${h(f.id)}</td><td>${h(f.label)}</td><td>${h(f.target)}</td><td class="num">${f.injectedAtMs === undefined ? '—' : h(rel(f.injectedAtMs))}</td><td class="num">${f.rtoMs === undefined ? '—' : h(formatMs(f.rtoMs))}</td><td>${h(f.error ?? f.recovery)}${f.events.length ? `<ul class="events">${f.events.map((e) => `<li>${h(rel(e.atMs))} ${h(e.what)}</li>`).join('')}</ul>` : ''}</td></tr>`,
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
  const html = `<h2>Chaos <span class="dim">${h(c.experiment)}${c.dryRun ? ' · dry run' : ''}</span></h2>
${c.description ? `<p>${h(c.description)}</p>` : ''}
${c.stoppedEarly ? `<div class="errors"><b>Stopped early:</b> ${h(c.stoppedEarly)}</div>` : ''}
<p class="dim">Window ${formatMs(c.windowEndMs - c.windowStartMs)}; steady state before: ${h(c.steadyState.before)}, after: ${h(c.steadyState.after)}${c.steadyState.detail ? ` (${h(c.steadyState.detail)})` : ''}. RTO runs from the injection to the first of N healthy samples in a row after the outage began.</p>
<table><thead><tr><th>#</th><th>fault</th><th>target</th><th>injected</th><th>RTO</th><th>recovery</th></tr></thead><tbody>${faults}</tbody></table>
${
  c.probes.length
    ? `<div class="charts"><div id="${chartId}"></div></div>
<table><thead><tr><th>probe</th><th>kind</th><th>interval</th><th>healthy time in window</th><th>samples</th></tr></thead><tbody>${probes}</tbody></table>`
    : ''
}
${
  c.load?.series.length
    ? `<h3>Load during the experiment <span class="dim">${h(c.load.profile)} · ${h(c.load.engine)} engine</span></h3><div class="charts"><div id="${chartId}-load"></div></div>`
    : ''
}
${restores}
${ledger}
${rollbacks}`;
  const script = c.probes.length
    ? `<script>
(function () {
  if (typeof uPlot === 'undefined') return;
  var rec = JSON.parse(document.getElementById('gauntlet-run-record').textContent);
  var c = rec.chaos[${index}], t0 = c.windowStartMs;
  // One x axis (seconds from the window start); each probe's health as a step line at its own level.
  var xs = {};
  c.probes.forEach(function (p) { p.samples.forEach(function (s) { xs[Math.round(s[0])] = true; }); });
  var x = Object.keys(xs).map(Number).sort(function (a, b) { return a - b; });
  var colors = ['#0969da', '#1a7f37', '#8250df', '#9a6700'];
  var data = [x.map(function (v) { return (v - t0) / 1000; })];
  var series = [{ label: 's' }];
  c.probes.forEach(function (p, i) {
    var m = {}; p.samples.forEach(function (s) { m[Math.round(s[0])] = s[1] ? (i + 1) : (i + 0.5); });
    data.push(x.map(function (v) { return m[v] === undefined ? null : m[v]; }));
    series.push({ label: p.name + ' (up/down)', stroke: colors[i % colors.length], width: 1.5, spanGaps: true, paths: uPlot.paths.stepped({ align: 1 }) });
  });
  var marks = [];
  c.faults.forEach(function (f) { f.events.forEach(function (e) { marks.push({ t: (e.atMs - t0) / 1000, label: f.id, color: '#cf222e' }); }); if (f.recoveredAtMs !== undefined) marks.push({ t: (f.recoveredAtMs - t0) / 1000, label: f.id + ' recovered', color: '#1a7f37' }); });
  var width = Math.min(1140, document.querySelector('main').clientWidth - 10);
  new uPlot({ legend: { live: false }, title: 'Probe health (up = upper level, down = lower) with fault events', width: width, height: 240, scales: { x: { time: false }, y: { range: [0, c.probes.length + 0.5] } },
    axes: [{ label: 'seconds from the window start' }, { show: false }], series: series,
    hooks: { draw: [function (u) { var ctx = u.ctx; marks.forEach(function (m) { var px = u.valToPos(m.t, 'x', true); ctx.save(); ctx.strokeStyle = m.color; ctx.setLineDash([5, 4]); ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke(); ctx.fillStyle = m.color; ctx.font = '11px sans-serif'; ctx.fillText(m.label, px + 3, u.bbox.top + 12); ctx.restore(); }); }] } },
    data, document.getElementById('${chartId}'));
})();
</script>`
    : '';
  return { html, script: script + loadChart(c, index, chartId) };
}

/**
 * What users saw through the fault: the experiment's load, second by second — throughput and
 * errors (left axis), p95 latency (right axis) — with every fault event and recovery drawn on it.
 */
function loadChart(c: ChaosResult, index: number, chartId: string): string {
  if (!c.load?.series.length) return '';
  return `<script>
(function () {
  if (typeof uPlot === 'undefined') return;
  var c = JSON.parse(document.getElementById('gauntlet-run-record').textContent).chaos[${index}], t0 = c.windowStartMs, l = c.load;
  var x = l.series.map(function (s) { return (l.startedAtMs + (s.t + 0.5) * 1000 - t0) / 1000; });
  var data = [x, l.series.map(function (s) { return s.requests; }), l.series.map(function (s) { return s.failed; }), l.series.map(function (s) { return s.p95Ms === undefined ? null : s.p95Ms; })];
  var marks = [];
  c.faults.forEach(function (f) { f.events.forEach(function (e) { marks.push({ t: (e.atMs - t0) / 1000, label: f.id, color: '#cf222e' }); }); if (f.recoveredAtMs !== undefined) marks.push({ t: (f.recoveredAtMs - t0) / 1000, label: f.id + ' recovered', color: '#1a7f37' }); });
  var width = Math.min(1140, document.querySelector('main').clientWidth - 10);
  new uPlot({ legend: { live: false }, title: 'Requests and failures per second (left), p95 latency (right), with fault events', width: width, height: 240,
    scales: { x: { time: false }, ms: {} },
    axes: [{ label: 'seconds from the window start' }, { label: 'per second' }, { scale: 'ms', side: 1, label: 'p95 ms', grid: { show: false } }],
    series: [{ label: 's' }, { label: 'requests/s', stroke: '#0969da', width: 1.5 }, { label: 'failed/s', stroke: '#cf222e', width: 1.5 }, { label: 'p95 ms', stroke: '#8250df', width: 1.5, scale: 'ms', spanGaps: true }],
    hooks: { draw: [function (u) { var ctx = u.ctx; marks.forEach(function (m) { var px = u.valToPos(m.t, 'x', true); ctx.save(); ctx.strokeStyle = m.color; ctx.setLineDash([5, 4]); ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke(); ctx.fillStyle = m.color; ctx.font = '11px sans-serif'; ctx.fillText(m.label, px + 3, u.bbox.top + 12); ctx.restore(); }); }] } },
    data, document.getElementById('${chartId}-load'));
})();
</script>`;
}

// The Prometheus part of the HTML report: each PromQL SLO's series over the run, on the run's
// clock (seconds from the start, like every other chart), with fault injections marked — the
// server's own view beside Gauntlet's client-side measurements.
import type { RunRecord } from '../record/schema.ts';
import { escapeHtml as h } from './escape.ts';
import { row, table } from './markup.ts';

export function prometheusSection(r: RunRecord): { html: string; script: string } {
  const p = r.prometheus;
  if (!p?.length) return { html: '', script: '' };
  const rows = p
    .map((s) =>
      row([
        h(s.name),
        `<code>${h(s.query)}</code>`,
        `${h(s.aggregate)} ${h(s.objective)}`,
        s.series.length,
        s.series.reduce((n, x) => n + x.points.length, 0),
      ]),
    )
    .join('');
  const charts = p.map((_, i) => `<div id="chart-prometheus${i ? `-${i}` : ''}"></div>`).join('');
  const delivery = r.delivery?.length
    ? `<p class="dim">Delivered: ${r.delivery.map((d) => `${h(d.to)} ${d.ok ? '✓' : '<b class="bad">✗</b>'} ${h(d.detail)}`).join(' · ')}</p>`
    : '';
  const html = `<h2>Prometheus <span class="dim">the service’s own metrics over the run</span></h2>
${table(['SLO', 'query', 'objective', 'series', 'points'], rows)}
<div class="charts">${charts}</div>${delivery}`;
  const script = `<script>
(function () {
  if (typeof uPlot === 'undefined') return;
  var rec = JSON.parse(document.getElementById('gauntlet-run-record').textContent);
  var marks = [];
  (rec.chaos || []).forEach(function (c) { c.faults.forEach(function (f) {
    if (f.injectedAtMs !== undefined) marks.push({ t: f.injectedAtMs / 1000, label: f.id });
  }); });
  var colors = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#9a6700'];
  var width = Math.min(1140, document.querySelector('main').clientWidth - 10);
  rec.prometheus.forEach(function (slo, i) {
    if (!slo.series.length) return;
    var xs = {};
    slo.series.forEach(function (s) { s.points.forEach(function (p) { xs[p[0]] = true; }); });
    var x = Object.keys(xs).map(Number).sort(function (a, b) { return a - b; });
    var data = [x.map(function (v) { return v / 1000; })];
    var series = [{ label: 's' }];
    slo.series.slice(0, 5).forEach(function (s, k) {
      var m = {}; s.points.forEach(function (p) { m[p[0]] = p[1]; });
      data.push(x.map(function (v) { return m[v] === undefined ? null : m[v]; }));
      var l = Object.keys(s.labels).map(function (key) { return key + '=' + s.labels[key]; }).join(',');
      series.push({ label: l || slo.name, stroke: colors[k % colors.length], width: 1.5, spanGaps: true });
    });
    new uPlot({ legend: { live: false }, title: slo.name + ' (' + slo.aggregate + ' must be ' + slo.objective + ')',
      width: width, height: 220, scales: { x: { time: false } },
      axes: [{ label: 'seconds from the run start' }, {}], series: series,
      hooks: { draw: [function (u) { var ctx = u.ctx; marks.forEach(function (m) {
        var px = u.valToPos(m.t, 'x', true); ctx.save(); ctx.strokeStyle = '#cf222e'; ctx.setLineDash([5, 4]);
        ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.fillStyle = '#cf222e'; ctx.font = '11px sans-serif'; ctx.fillText(m.label, px + 3, u.bbox.top + 12); ctx.restore();
      }); }] } },
      data, document.getElementById(i ? 'chart-prometheus-' + i : 'chart-prometheus'));
  });
})();
</script>`;
  return { html, script };
}

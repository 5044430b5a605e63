// The capacity part of the HTML report: the answer in one sentence, latency percentiles and
// errors against the offered rate with the knee marked, the per-step table, and the trend.
import type { CapacityResult } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';
import { escapeHtml as h } from './escape.ts';
import { num, row, table } from './markup.ts';

const ms = (v: number | undefined) => (v === undefined ? '—' : formatMs(v));

export function capacitySection(c: CapacityResult | undefined): { html: string; script: string } {
  if (!c) return { html: '', script: '' };
  const badge = { good: 'pass', bad: 'fail' } as Record<string, string>;
  const steps = c.steps.map((s) =>
    row(
      [
        s.index,
        s.phase,
        s.offeredRps,
        num(s.achievedRps.toFixed(1)),
        ...[s.p50Ms, s.p95Ms, s.p99Ms].map((v) => num(ms(v))),
        num(`${(s.errorRate * 100).toFixed(2)}%`),
        s.dropped,
        num(ms(s.sendLagP99Ms)),
        `<span class="badge ${badge[s.outcome] ?? 'no-data'}">${s.outcome}</span> ${h(s.why ?? '')}`,
      ],
      ` class="${s.outcome}"`,
    ),
  );
  const earlier = c.trend.map((t) => row([h(t.runId), h(t.startedAt), t.sustainableRps]));
  const trend = c.trend.length
    ? `<h3>Trend <span class="dim">earlier runs of ${h(c.profile)} in this environment</span></h3>${table(
        ['run', 'started', 'sustainable req/s'],
        [...earlier, row(['<b>this run</b>', '', num(`<b>${c.sustainableRps}</b>`)])],
      )}`
    : '<p class="dim">No earlier capacity run of this profile and environment in the reports directory: nothing to trend against yet.</p>';
  const html = `<h2>Capacity <span class="dim">${h(c.profile)} · limited by ${h(c.limitedBy)}</span></h2>
<p class="answer"><b>${h(c.statement)}</b></p>
<p class="dim">Each step offers a constant arrival rate (open model), warmed up uncounted, then judged by:
${c.objectives.map((o) => `<code>${h(o)}</code>`).join(', ')}.
Rates grow until a step fails, then are narrowed between the last good and the first bad step.</p>
${c.steps.length ? '<div class="charts"><div id="chart-capacity"></div></div>' : ''}
${table(['#', 'phase', 'offered req/s', 'achieved req/s', 'p50', 'p95', 'p99', 'errors', 'dropped', 'send lag p99', 'outcome'], steps)}
${trend}`;
  const script = c.steps.length
    ? `<script>
(function () {
  if (typeof uPlot === 'undefined') return;
  var c = JSON.parse(document.getElementById('gauntlet-run-record').textContent).capacity;
  var st = c.steps.slice().sort(function (a, b) { return a.offeredRps - b.offeredRps; });
  var data = [st.map(function (s) { return s.offeredRps; }),
    st.map(function (s) { return s.p50Ms === undefined ? null : s.p50Ms; }),
    st.map(function (s) { return s.p95Ms === undefined ? null : s.p95Ms; }),
    st.map(function (s) { return s.p99Ms === undefined ? null : s.p99Ms; }),
    st.map(function (s) { return s.errorRate * 100; })];
  var marks = [];
  if (c.sustainableRps > 0) marks.push({ x: c.sustainableRps, label: 'sustainable ' + c.sustainableRps, color: '#1a7f37' });
  if (c.breaksAtRps !== undefined) marks.push({ x: c.breaksAtRps, label: 'breaks ' + c.breaksAtRps, color: '#cf222e' });
  var width = Math.min(1140, document.querySelector('main').clientWidth - 10);
  new uPlot({ legend: { live: false }, title: 'Latency and errors against offered rate (knee marked)', width: width, height: 280,
    scales: { x: { time: false }, ms: { distr: 3 }, pct: { range: [0, 100] } },
    axes: [{ label: 'offered req/s' }, { scale: 'ms', label: 'ms (log)' }, { scale: 'pct', side: 1, label: 'errors %', grid: { show: false } }],
    series: [{ label: 'req/s' },
      { label: 'p50 ms', scale: 'ms', stroke: '#0969da', width: 1.5, points: { show: true } },
      { label: 'p95 ms', scale: 'ms', stroke: '#8250df', width: 2, points: { show: true } },
      { label: 'p99 ms', scale: 'ms', stroke: '#9a6700', width: 1.5, points: { show: true } },
      { label: 'errors %', scale: 'pct', stroke: '#cf222e', width: 1.5, dash: [4, 3], points: { show: true } }],
    hooks: { draw: [function (u) { var ctx = u.ctx; marks.forEach(function (m, i) {
      var px = u.valToPos(m.x, 'x', true); ctx.save(); ctx.strokeStyle = m.color; ctx.setLineDash([5, 4]);
      ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke();
      ctx.fillStyle = m.color; ctx.font = '11px sans-serif'; ctx.fillText(m.label, px + 3, u.bbox.top + 12 + i * 14); ctx.restore();
    }); }] } },
    data, document.getElementById('chart-capacity'));
})();
</script>`
    : '';
  return { html, script };
}

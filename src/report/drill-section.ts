// The DR drill part of the HTML report: the plan's targets, one row per scenario (RTO, RPO,
// uptime, lost writes) against them, the trend against the previous drill, and the sign-off an
// auditor reads first. The timelines and fault details are the chaos sections below it.
import type { DrillResult, RunRecord } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';
import { escapeHtml as h } from './escape.ts';
import { kvRow, num, row, table } from './markup.ts';

const ms = (v: number | undefined) => (v === undefined ? '—' : formatMs(v));

/** Which probe a figure came from: an uptime of /health says nothing of a database outage. */
const by = (probe: string | undefined) => (probe ? `<div class="dim">by ${h(probe)}</div>` : '');

function trend(now: number | undefined, before: number | undefined): string {
  if (now === undefined || before === undefined) return '';
  if (before === 0) return now === 0 ? ' <span class="dim">(=)</span>' : ' <b class="bad">(new)</b>';
  const pct = ((now - before) / before) * 100;
  return ` <span class="${pct > 25 ? 'bad' : 'dim'}">(${pct >= 0 ? '+' : ''}${pct.toFixed(0)}% vs ${h(formatMs(before))})</span>`;
}

export function drillSection(r: RunRecord): string {
  const d: DrillResult | undefined = r.drill;
  if (!d) return '';
  const prev = new Map((d.previous?.scenarios ?? []).map((x) => [x.name, x]));
  const rows = d.scenarios
    .map((sc) => {
      const p = prev.get(sc.name);
      const newFailure = sc.status !== 'passed' && p?.status === 'passed';
      const findings = sc.failures.length
        ? `<ul class="events">${sc.failures.map((f) => `<li>${h(f)}</li>`).join('')}</ul>`
        : '<span class="dim">all targets met</span>';
      return row([
        `${h(sc.name)}<div class="dim">${h(sc.experiment)}</div>`,
        `<span class="badge ${sc.status}">${h(sc.status.toUpperCase())}</span>${newFailure ? ' <b class="bad">new since the last drill</b>' : ''}`,
        num(`${sc.rtoMs === 0 ? '0 s (no outage)' : ms(sc.rtoMs)}${trend(sc.rtoMs, p?.rtoMs)}${by(sc.rtoProbe)}`),
        num(`${sc.rpoMs === 0 ? '0 s (no loss)' : ms(sc.rpoMs)}${trend(sc.rpoMs, p?.rpoMs)}`),
        num(`${sc.uptime === undefined ? '—' : `${(sc.uptime * 100).toFixed(2)}%`}${by(sc.uptimeProbe)}`),
        num(sc.lostWrites ?? '—'),
        `${findings}${sc.rpoBasis ? `<div class="dim">RPO: ${h(sc.rpoBasis)}</div>` : ''}`,
      ]);
    })
    .join('');
  const so = d.signOff;
  const versions = Object.entries(so.versions)
    .map(([k, v]) => `${h(k)} <b>${h(v)}</b>`)
    .join(' · ');
  const files = so.inputs
    ?.map((i) => `<code>${h(i.file)}</code> <code class="dim">sha256:${h(i.sha256)}</code>`)
    .join('<br>');
  const met = d.scenarios.filter((x) => x.status === 'passed').length;
  const history = d.history.length
    ? `<p class="dim">Earlier drills: ${d.history.map((x) => `${h(x.startedAt)} <b>${h(x.status)}</b> (${h(x.runId)})`).join(' · ')}</p>`
    : '<p class="dim">No earlier drill of this environment in the reports folder: this is the baseline.</p>';
  return `<h2>DR drill <span class="dim">${h(d.name)} · plan RTO ${h(d.plan.rto)}, RPO ${h(d.plan.rpo)}</span></h2>
${table(['scenario', 'result', 'RTO', 'RPO', 'uptime', 'lost writes', 'findings'], rows)}
${d.previous ? `<p>Compared with the previous drill, <b>${h(d.previous.startedAt)}</b> (${h(d.previous.runId)}, ${h(d.previous.status)}).</p>` : ''}
${history}
<h3>Sign-off</h3>
<table class="kv"><tbody>
${kvRow([
  ['environment', `${h(so.environment)} · ${h(r.environment.baseUrl)}`],
  ['run by', `${h(so.operator)} on ${h(so.host)}`],
])}
${kvRow([
  ['started', h(so.startedAt)],
  ['ended', h(so.endedAt)],
])}
${kvRow([
  ['config', h(so.config)],
  ['config digest', `<code>sha256:${h(so.configDigest)}</code>`],
])}
${files ? `<tr><th>files</th><td colspan="3">${files}</td></tr>` : ''}
<tr><th>versions</th><td colspan="3">${versions}</td></tr>
<tr><th>outcome</th><td colspan="3"><b>${h(r.status.toUpperCase())}</b> — ${met} of ${d.scenarios.length} scenarios met the DR plan
and their own objectives; run ${h(r.runId)}, exit code ${r.exitCode}</td></tr>
<tr><th>reviewed by</th><td colspan="3" style="height:2.5em"></td></tr>
</tbody></table>`;
}

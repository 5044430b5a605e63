// The HTML report: one self-contained file (no network), a view of the run record, which is
// embedded for tools. Every string from the target goes through escapeHtml.
import { headline } from './headline.ts';
import { byPhase, humanName } from './verdict-names.ts';
import type { CheckResult, RunRecord, Verdict } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';
import { row, table } from './markup.ts';
import { escapeHtml as h, jsonForScript } from './escape.ts';
import type { Reporter } from './reporter.ts';
import { loadSection, uplotAssets } from './load-section.ts';
import { chaosSection } from './chaos-section.ts';
import { capacitySection } from './capacity-section.ts';
import { drillSection } from './drill-section.ts';
import { chartsScript } from './timeline.ts';
import { trendSection } from './trend-section.ts';
import { prometheusSection } from './prometheus-section.ts';

export const htmlReporter: Reporter = {
  name: 'html',
  render(record) {
    return [{ path: 'index.html', content: renderHtml(record) }];
  },
};

const css = `
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--mute:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328}
header{padding:20px 28px;border-bottom:1px solid var(--line);background:var(--bg)}
h1{font-size:20px;margin:0 0 6px}h2{font-size:16px;margin:28px 0 10px}main{padding:0 28px 40px;max-width:1200px}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;font-size:12px;color:#fff;vertical-align:middle}
.passed,.pass{background:var(--ok)}.failed,.fail,.error{background:var(--bad)}.aborted,.no-data{background:var(--warn)}
.meta{color:var(--mute);display:flex;flex-wrap:wrap;gap:4px 18px}.meta b{color:#1f2328;font-weight:600}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--bg);font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
details{border:1px solid var(--line);border-radius:6px;margin:6px 0;background:#fff}summary{cursor:pointer;padding:8px 12px;display:flex;gap:10px;align-items:center}
summary .name{font-weight:600}summary .reason{color:var(--bad);flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.body{padding:0 12px 12px}pre{background:var(--bg);padding:8px;border-radius:4px;overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-all;margin:4px 0}
.exp{list-style:none;padding:0;margin:6px 0}.exp li:before{content:"✓ ";color:var(--ok)}.exp li.bad:before{content:"✗ ";color:var(--bad)}
.errors{border-left:4px solid var(--bad);background:#ffebe9;padding:8px 14px;margin-top:16px}
tr.lost td{background:#ffebe9}
tr.phase th{background:#eef1f4;font-size:13px;text-align:left}
.dim{color:var(--mute)}ul.events{margin:4px 0;padding-left:18px;color:var(--mute)}b.bad{color:var(--bad)}img.shot{max-width:100%;border:1px solid var(--line);border-radius:4px}figure{margin:8px 0}h3{font-size:14px;margin:18px 0 8px}
table.kv th{width:1%;white-space:nowrap;background:none;color:var(--mute);font-weight:500}table.kv td{width:16%}
.answer{font-size:16px;margin:10px 0}.good{color:var(--ok)}.bad{color:var(--bad)}
footer{padding:0 28px 40px;max-width:1200px;border-top:1px solid var(--line)}footer table.kv td{width:auto;word-break:break-all}
@media (max-width:720px){header,main,footer{padding-left:10px;padding-right:10px}td,th{padding:4px 6px}.meta{font-size:12px}table{font-size:12px;display:block;overflow-x:auto}}
@media print{body{font-size:11px}header{background:none}details{break-inside:avoid}details:not([open]) .body{display:none}
.timeline,.spectrum,tr,figure{break-inside:avoid}a{color:inherit;text-decoration:none}.badge{border:1px solid #000;color:#000!important;background:none!important}
section{break-before:auto}h2{break-after:avoid}}.charts{display:flex;flex-direction:column;gap:14px;margin:14px 0}code{background:var(--bg);padding:1px 5px;border-radius:4px}
`;

export function renderHtml(r: RunRecord): string {
  const load = loadSection(r.load, r.verdicts);
  const chaos = (r.chaos ?? []).map((c, i) => chaosSection(c, i)).join('\n');
  const capacity = capacitySection(r.capacity);
  const prometheus = prometheusSection(r);
  const drill = drillSection(r);
  const smoke = checksSection(r.checks);
  // Where each phase's evidence is, for the verdicts' links: only sections this report has.
  const evidence = new Set(
    (
      [
        ['drill', drill],
        ['capacity', capacity.html],
        ['chaos', chaos],
        ['prometheus', prometheus.html],
        ['load', load],
        ['smoke', smoke],
      ] as const
    )
      .filter(([, html]) => html.trim())
      .map(([id]) => id),
  );
  const charts =
    r.load || r.chaos?.some((c) => c.probes.length) || r.capacity?.steps.length || r.prometheus?.length
      ? uplotAssets()
      : { head: '', script: '' };
  const c = r.environment.container;
  const image = c
    ? `<span>image under test <b>${h(c.image)}</b> <span class="dim">${h(c.repoDigests?.[0] ?? c.imageId.slice(0, 19))}</span></span>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'">
<title>Gauntlet ${h(r.command)} · ${h(r.environment.name)} · ${h(r.status)}</title><style>${css}</style>${charts.head}</head>
<body>
<header>
<h1>Gauntlet ${h(r.command)} <span class="badge ${h(r.status)}">${h(r.status.toUpperCase())}</span></h1>
<div class="meta"><span>environment <b>${h(r.environment.name)}</b></span><span>target <b>${h(r.environment.baseUrl)}</b></span>
<span>started <b>${h(r.startedAt)}</b></span><span>took <b>${h(formatMs(r.durationMs))}</b></span><span>exit code <b>${r.exitCode}</b></span>
${image}<span>run <b>${h(r.runId)}</b></span><span>gauntlet <b>${h(r.tool.version)}</b> · node ${h(r.tool.node)}</span>
<span>config <b>${h(r.config.file)}</b> <span class="dim">sha256:${h(r.config.digest.slice(0, 12))}</span></span></div>
<p class="answer"><b>${h(headline(r))}</b></p>
${r.errors.length ? `<div class="errors"><b>The harness could not finish:</b><ul>${r.errors.map((e) => `<li>${h(e)}</li>`).join('')}</ul></div>` : ''}
</header>
<main>
${section('drill', drill)}
${verdictTable(r.verdicts, evidence)}
${section('capacity', capacity.html)}
${section('chaos', chaos)}
${section('prometheus', prometheus.html)}
${section('load', load)}
${section('smoke', smoke)}
${trendSection(r)}
</main>
${provenance(r)}
<script type="application/json" id="gauntlet-run-record">${jsonForScript(r)}</script>
${charts.script}
${charts.script ? chartsScript : ''}
${capacity.script}
${prometheus.script}
</body></html>
`;
}

/** Where the numbers came from: enough to reproduce the run and to prove its inputs unchanged. */
function provenance(r: RunRecord): string {
  const engine = r.load?.engine ?? r.chaos?.map((c) => c.load?.engine).find(Boolean);
  const kv = (k: string, v: string) => `<tr><th>${h(k)}</th><td>${v}</td></tr>`;
  return `<footer><h2>Provenance</h2><table class="kv"><tbody>
${kv('run', `<code>${h(r.runId)}</code> · record schema ${h(r.schemaVersion)}`)}
${kv('command line', r.commandLine ? `<code>${h(r.commandLine)}</code>` : '<span class="dim">not recorded</span>')}
${kv('gauntlet', `${h(r.tool.version)} on Node ${h(r.tool.node)}${engine ? ` · ${h(engine)} engine` : ''}`)}
${kv('host', h(r.host))}
${kv('started · ended', `${h(r.startedAt)} · ${h(r.endedAt)} (${h(formatMs(r.durationMs))})`)}
${kv('config', `<code>${h(r.config.file)}</code> <code class="dim">sha256:${h(r.config.digest)}</code>`)}
${(r.inputs ?? [])
  .filter((i) => i.file !== r.config.file)
  .map((i) => kv('input', `<code>${h(i.file)}</code> <code class="dim">sha256:${h(i.sha256)}</code>`))
  .join('\n')}
</tbody></table><p class="dim">The run record (run.json, also embedded in this file) holds every number above;
secrets were redacted before anything was written.</p></footer>`;
}

const section = (id: string, html: string) => (html.trim() ? `<section id="evidence-${id}">${html}</section>` : '');

/** The section holding a phase's evidence. */
function evidenceOf(phase: string, evidence: ReadonlySet<string>): string | undefined {
  const want =
    phase === 'Smoke checks'
      ? 'smoke'
      : phase === 'Load'
        ? 'load'
        : phase === 'Capacity'
          ? 'capacity'
          : phase === 'Prometheus SLOs'
            ? 'prometheus'
            : phase === 'DR plan' || evidence.has('drill')
              ? 'drill'
              : 'chaos';
  return evidence.has(want) ? want : evidence.has('chaos') && phase !== 'Load' ? 'chaos' : undefined;
}

function verdictTable(verdicts: readonly Verdict[], evidence: ReadonlySet<string>): string {
  if (!verdicts.length) return '<h2>Verdicts</h2><p class="dim">No verdicts: nothing was measured.</p>';
  const rows = byPhase(verdicts)
    .map(({ phase, verdicts: vs }) => {
      const where = evidenceOf(phase, evidence);
      const failing = vs.filter((v) => v.status !== 'pass').length;
      const count = failing ? `${failing} of ${vs.length} not passing` : `${vs.length} passing`;
      const link = where ? ` · <a href="#evidence-${where}">evidence</a>` : '';
      const head = `<tr class="phase"><th colspan="5">${h(phase)} <span class="dim">${count}${link}</span></th></tr>`;
      return [
        head,
        ...vs.map((v) =>
          row([
            `<span class="badge ${h(v.status)}">${h(v.status)}</span>`,
            `${h(humanName(v))}<div class="dim"><code>${h(v.id)}</code></div>`,
            `${h(v.objective)}${v.byDefault ? ' <span class="dim">(default)</span>' : ''}`,
            h(v.observed ?? '—'),
            h(v.detail ?? ''),
          ]),
        ),
      ].join('\n');
    })
    .join('\n');
  return `<h2>Verdicts</h2>${table(['', 'Verdict', 'Objective', 'Observed', 'Detail'], rows)}`;
}

function checksSection(checks: readonly CheckResult[]): string {
  if (!checks.length) return '';
  const failed = checks.filter((c) => c.status === 'failed').length;
  return `<h2>Smoke checks <span class="dim">${checks.length - failed}/${checks.length} passed</span></h2>\n${checks.map(checkDetails).join('\n')}`;
}

function checkDetails(c: CheckResult): string {
  const ex = c.exchange;
  const headers = (o: Record<string, string>) =>
    Object.entries(o)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n');
  const expectations = c.expectations.map((e) => {
    const got = e.actual !== undefined ? ` <span class="dim">— got ${h(e.actual)}</span>` : '';
    return `<li class="${e.ok ? '' : 'bad'}">${h(e.what)}${got}</li>`;
  });
  const base64 = (b: string) => b.replace(/[^A-Za-z0-9+/=]/g, '');
  const request = ex
    ? `${ex.request.method} ${ex.request.url}\n${headers(ex.request.headers)}${ex.request.body ? `\n\n${ex.request.body}` : ''}`
    : '';
  const res = ex?.response;
  const cut = res?.truncated ? ', cut off at the size limit' : '';
  return `<details${c.status === 'failed' ? ' open' : ''}><summary><span class="badge ${h(c.status)}">${h(c.status)}</span>
<span class="name">${h(c.suite)} › ${h(c.name)}</span><span class="dim">${h(c.kind)}</span><span class="reason">${h(c.reason ?? '')}</span>
<span class="dim">${h(formatMs(c.durationMs))}${c.attempts > 1 ? ` · ${c.attempts} attempts` : ''}</span></summary>
<div class="body">
${expectations.length ? `<ul class="exp">${expectations.join('')}</ul>` : ''}
${c.detail ? `<p class="dim">${h(c.detail)}</p>` : ''}
${(c.attachments ?? [])
  .filter((a) => /^image\/(png|jpeg|webp)$/.test(a.contentType))
  .map(
    (a) =>
      `<figure><img class="shot" alt="${h(a.name)}" src="data:${a.contentType};base64,${base64(a.base64)}">` +
      `<figcaption class="dim">${h(a.name)}</figcaption></figure>`,
  )
  .join('')}
${c.captured.length ? `<p class="dim">captured: ${c.captured.map(h).join(', ')} (values not recorded)</p>` : ''}
${ex ? `<b>Request</b><pre>${h(request)}</pre>` : ''}
${res ? `<b>Response</b> <span class="dim">${res.bodyBytes} bytes${cut}</span><pre>${h(`${res.status}\n${headers(res.headers)}\n\n${res.bodyExcerpt}`)}</pre>` : ''}
</div></details>`;
}

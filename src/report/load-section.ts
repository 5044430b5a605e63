// The load part of the HTML report: summary, its timeline (latency percentiles, throughput and
// errors by class per second), per-request table with each request's percentile spectrum, errors
// by class, k6's own judgement where k6 ran it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { LoadResult, Verdict } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';
import { escapeHtml as h } from './escape.ts';
import { loadTimeline, percentileSpectrum, spectrumHtml, timelineHtml } from './timeline.ts';

const require = createRequire(import.meta.url);
let uplot: { js: string; css: string } | undefined;
function uplotSource(): { js: string; css: string } {
  uplot ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplot;
}

const ms = (v: number | undefined) => (v === undefined ? '—' : formatMs(v));

/** uPlot inlined once per report, for every chart in it. */
export function uplotAssets(): { head: string; script: string } {
  const { js, css } = uplotSource();
  return { head: `<style>${css}</style>`, script: `<script>${js}</script>` };
}

/** What k6 itself said: its version and exit, its threshold judgements, the script's own metrics. */
function k6Part(l: LoadResult): string {
  const k = l.k6;
  if (!k) return '';
  const value = (v: number, contains: string | undefined) =>
    contains === 'time' ? formatMs(v) : Number.isInteger(v) ? String(v) : v.toFixed(4);
  const metrics = Object.entries(k.metrics)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([name, m]) =>
        `<tr><td><code>${h(name)}</code></td><td>${h(m.type)}</td><td>${Object.entries(m.values)
          .map(([a, v]) => `${h(a)}=${h(value(v, m.contains))}`)
          .join(' · ')}</td></tr>`,
    )
    .join('');
  const thresholds = k.thresholds
    .map(
      (t) =>
        `<tr><td><code>${h(t.metric)}</code></td><td><code>${h(t.expr)}</code></td><td>${t.ok ? 'passed' : '<b>failed</b>'}</td><td>${h(t.observed ?? '—')}</td></tr>`,
    )
    .join('');
  return `<h3>k6's own report <span class="dim">${h(k.version)} · exit ${k.exitCode}${k.runners ? ` · ${k.runners} runners merged` : ''}</span></h3>
${k.error ? `<div class="errors"><b>k6 failed:</b> ${h(k.error)}</div>` : ''}${k.bound ? `<div class="errors"><b>Bound, not exact:</b> ${h(k.bound)}</div>` : ''}
${thresholds ? `<table><thead><tr><th>metric</th><th>threshold</th><th>k6's judgement</th><th>k6's value</th></tr></thead><tbody>${thresholds}</tbody></table>` : ''}
<details><summary>k6's end-of-test metrics (${Object.keys(k.metrics).length})</summary><table><thead><tr><th>metric</th><th>type</th><th>values</th></tr></thead><tbody>${metrics}</tbody></table></details>`;
}

export function loadSection(l: LoadResult | undefined, verdicts: readonly Verdict[] = []): string {
  if (!l) return '';
  const secs = l.durationMs / 1000;
  const lat = l.all.latency;
  const errors = Object.entries(l.totals.errors);
  const rows = Object.entries(l.byName)
    .map(
      ([name, b]) =>
        `<tr><td>${h(name)}</td><td>${b.kind ? `${b.kind === 'postgres' ? 'SQL' : 'Redis'} ` : ''}${h(b.method)}</td><td class="num">${b.totals.requests}</td><td class="num">${(b.totals.requests / secs).toFixed(1)}</td><td class="num">${b.totals.failed}</td><td class="num">${ms(b.latency?.p50Ms)}</td><td class="num">${ms(b.latency?.p95Ms)}</td><td class="num">${ms(b.latency?.p99Ms)}</td><td class="num">${ms(b.latency?.maxMs)}</td></tr>`,
    )
    .join('');
  const flag =
    l.littlesLaw && !l.littlesLaw.ok
      ? `<div class="errors"><b>Consistency warning:</b> Little's law does not hold for this closed-model run — throughput × mean iteration time = ${l.littlesLaw.observed.toFixed(1)}, but ${l.littlesLaw.concurrency} VUs ran (ratio ${l.littlesLaw.ratio.toFixed(2)}). The generator or the measurement is suspect.</div>`
      : l.littlesLaw
        ? `<p class="dim">Little's law holds: throughput × mean iteration time = ${l.littlesLaw.observed.toFixed(1)} for ${l.littlesLaw.concurrency} VUs (ratio ${l.littlesLaw.ratio.toFixed(3)}).</p>`
        : '';
  const timeline = loadTimeline(l, 'chart-load', verdicts);
  const spectrum = percentileSpectrum(l, 'chart-spectrum');
  const html = `<h2>Load <span class="dim">${h(l.profile)} · ${h(l.executor)} (${l.model} model) · ${h(l.engine)} engine, ${l.shards ? `${l.shards.length} shard${l.shards.length === 1 ? '' : 's'} (pods)` : `${l.workers} worker${l.workers === 1 ? '' : 's'}`}</span></h2>
${l.stoppedEarly ? `<div class="errors"><b>Stopped early:</b> ${h(l.stoppedEarly)}</div>` : ''}
<table class="kv"><tbody>
<tr><th>requests</th><td class="num">${l.totals.requests}</td><th>throughput</th><td class="num">${(l.totals.requests / secs).toFixed(1)} req/s</td><th>window</th><td class="num">${formatMs(l.durationMs)} of ${formatMs(l.scheduledMs)} scheduled</td></tr>
<tr><th>p50</th><td class="num">${ms(lat?.p50Ms)}</td><th>p95</th><td class="num">${ms(lat?.p95Ms)}</td><th>p99</th><td class="num">${ms(lat?.p99Ms)}</td></tr>
<tr><th>min / mean</th><td class="num">${ms(lat?.minMs)} / ${ms(lat?.meanMs)}</td><th>p99.9</th><td class="num">${ms(lat?.p999Ms)}</td><th>max</th><td class="num">${ms(lat?.maxMs)}</td></tr>
${connectRow(l)}${
    l.generator?.lag?.latency
      ? `<tr><th>send lag p50 / p99</th><td class="num">${ms(l.generator.lag.latency.p50Ms)} / ${ms(l.generator.lag.latency.p99Ms)}</td><th>send lag max</th><td class="num">${ms(l.generator.lag.latency.maxMs)}</td><th>connections (maxVUs)</th><td class="num">${l.generator.connectionLimit ?? '—'}</td></tr>
`
      : ''
  }<tr><th>failed</th><td class="num">${l.totals.failed} (${l.totals.requests ? ((l.totals.failed / l.totals.requests) * 100).toFixed(2) : '0.00'}%)</td><th>iterations</th><td class="num">${l.totals.iterations}</td><th>dropped / interrupted</th><td class="num">${l.totals.droppedIterations} / ${l.totals.interruptedIterations}</td></tr>
</tbody></table>
<p class="dim">${
    l.k6
      ? `Percentiles from an HDR histogram of every http_req_duration sample k6 wrote (µs resolution)${l.model === 'open' ? '; k6 times each request from its actual send, without coordinated-omission correction — late arrivals show as dropped iterations instead' : ''}. A failed request is in http_req_failed and in the durations at the time k6 gave it.`
      : `Percentiles from HDR histograms merged across workers (µs resolution)${l.model === 'open' ? '; the open model times each request from its intended send time (coordinated omission corrected)' : ''}. A request that got no answer is in http_req_failed and in the durations at its time to error or timeout.`
  }</p>
${flag}
${timeline ? timelineHtml(timeline) : ''}
${shardsPart(l)}
<h3>By request <span class="dim">HTTP judged as http_req_*, SQL as db_query_*, Redis as redis_cmd_*</span></h3>
<table><thead><tr><th>name</th><th>method</th><th>requests</th><th>req/s</th><th>failed</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr></thead><tbody>${rows}</tbody></table>
${spectrum ? spectrumHtml(spectrum) : ''}
${errors.length ? `<h3>Errors by class</h3><table><thead><tr><th>class</th><th>count</th></tr></thead><tbody>${errors.map(([k, v]) => `<tr><td>${h(k)}</td><td class="num">${v}</td></tr>`).join('')}</tbody></table>` : ''}
${k6Part(l)}
<h3>Status codes</h3><p>${
    Object.entries(l.totals.statuses)
      .map(([k, v]) => `<code>${h(k)}</code> × ${v}`)
      .join(' · ') || '—'
  }</p>`;
  return html;
}

/** Connect + TLS handshake, reported apart from http_req_duration (k6's http_req_connecting). */
/** Distributed runs: each shard and what it sent; the figures above are their exact merge. */
function shardsPart(l: LoadResult): string {
  if (!l.shards) return '';
  const rows = l.shards
    .map(
      (x) =>
        `<tr${x.status === 'done' ? '' : ' class="lost"'}><td class="num">${x.index}</td><td><code>${h(x.where ?? '—')}</code></td><td>${h(x.status)}${x.lost ? ` — ${h(x.lost)}` : ''}</td><td class="num">${x.startSkewMs === undefined ? '—' : x.startSkewMs === 0 ? 'on time' : formatMs(x.startSkewMs)}</td><td class="num">${x.requests}</td><td class="num">${x.failed}</td><td class="num">${ms(x.p50Ms)}</td><td class="num">${ms(x.p95Ms)}</td><td class="num">${ms(x.p99Ms)}</td></tr>`,
    )
    .join('');
  return `<h3>Shards</h3>
<p class="dim">Each shard ran 1/${l.shards.length} of the schedule in its own pod; the totals and percentiles above merge their HDR histograms exactly (never an average of the shards' percentiles). Late start: how long after the common start instant the shard was ready.</p>
<table><thead><tr><th>shard</th><th>pod</th><th>status</th><th>late start</th><th>requests</th><th>failed</th><th>p50</th><th>p95</th><th>p99</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function connectRow(l: LoadResult): string {
  const c = l.connecting?.latency;
  if (!c) return '';
  return `<tr><th>connects</th><td class="num">${c.count}</td><th>connect p50 / p99</th><td class="num">${ms(c.p50Ms)} / ${ms(c.p99Ms)}</td><th>connect max</th><td class="num">${ms(c.maxMs)}</td></tr>\n`;
}

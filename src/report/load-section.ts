// The load part of the HTML report: summary, its timeline (latency percentiles, throughput and
// errors by class per second), per-request table with each request's percentile spectrum, errors
// by class, k6's own judgement where k6 ran it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { LoadResult, Verdict } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';
import { escapeHtml as h } from './escape.ts';
import { kvRow, num, row, table } from './markup.ts';
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
    .map(([name, m]) =>
      row([
        `<code>${h(name)}</code>`,
        h(m.type),
        Object.entries(m.values)
          .map(([a, v]) => `${h(a)}=${h(value(v, m.contains))}`)
          .join(' · '),
      ]),
    )
    .join('');
  const thresholds = k.thresholds
    .map((t) =>
      row([
        `<code>${h(t.metric)}</code>`,
        `<code>${h(t.expr)}</code>`,
        t.ok ? 'passed' : '<b>failed</b>',
        h(t.observed ?? '—'),
      ]),
    )
    .join('');
  const runners = k.runners ? ` · ${k.runners} runners merged` : '';
  const failed = k.error ? `<div class="errors"><b>k6 failed:</b> ${h(k.error)}</div>` : '';
  const bound = k.bound ? `<div class="errors"><b>Bound, not exact:</b> ${h(k.bound)}</div>` : '';
  const judged = thresholds ? table(['metric', 'threshold', "k6's judgement", "k6's value"], thresholds) : '';
  return `<h3>k6's own report <span class="dim">${h(k.version)} · exit ${k.exitCode}${runners}</span></h3>
${failed}${bound}
${judged}
<details><summary>k6's end-of-test metrics (${Object.keys(k.metrics).length})</summary>${table(['metric', 'type', 'values'], metrics)}</details>`;
}

export function loadSection(l: LoadResult | undefined, verdicts: readonly Verdict[] = []): string {
  if (!l) return '';
  const secs = l.durationMs / 1000;
  const lat = l.all.latency;
  const errors = Object.entries(l.totals.errors);
  const rows = Object.entries(l.byName)
    .map(([name, b]) =>
      row([
        h(name),
        `${b.kind ? `${b.kind === 'postgres' ? 'SQL' : 'Redis'} ` : ''}${h(b.method)}`,
        b.totals.requests,
        num((b.totals.requests / secs).toFixed(1)),
        b.totals.failed,
        ...[b.latency?.p50Ms, b.latency?.p95Ms, b.latency?.p99Ms, b.latency?.maxMs].map((v) => num(ms(v))),
      ]),
    )
    .join('');
  const law = l.littlesLaw;
  const flag = !law
    ? ''
    : !law.ok
      ? '<div class="errors"><b>Consistency warning:</b> ' +
        `Little's law does not hold for this closed-model run — throughput × mean iteration time = ${law.observed.toFixed(1)}, ` +
        `but ${law.concurrency} VUs ran (ratio ${law.ratio.toFixed(2)}). The generator or the measurement is suspect.</div>`
      : '<p class="dim">Little\'s law holds: throughput × mean iteration time = ' +
        `${law.observed.toFixed(1)} for ${law.concurrency} VUs (ratio ${law.ratio.toFixed(3)}).</p>`;
  const timeline = loadTimeline(l, 'chart-load', verdicts);
  const spectrum = percentileSpectrum(l, 'chart-spectrum');
  const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  const core = l.generator?.core ? { native: ', native core', js: ', JavaScript threads' }[l.generator.core] : '';
  const ran = l.shards ? `${plural(l.shards.length, 'shard')} (pods)` : `${plural(l.workers, 'worker')}${core}`;
  const t = l.totals;
  const lag = l.generator?.lag?.latency;
  const summary = [
    kvRow([
      ['requests', t.requests],
      ['throughput', num(`${(t.requests / secs).toFixed(1)} req/s`)],
      ['window', num(`${formatMs(l.durationMs)} of ${formatMs(l.scheduledMs)} scheduled`)],
    ]),
    kvRow([
      ['p50', num(ms(lat?.p50Ms))],
      ['p95', num(ms(lat?.p95Ms))],
      ['p99', num(ms(lat?.p99Ms))],
    ]),
    kvRow([
      ['min / mean', num(`${ms(lat?.minMs)} / ${ms(lat?.meanMs)}`)],
      ['p99.9', num(ms(lat?.p999Ms))],
      ['max', num(ms(lat?.maxMs))],
    ]),
    connectRow(l),
    lag
      ? kvRow([
          ['send lag p50 / p99', num(`${ms(lag.p50Ms)} / ${ms(lag.p99Ms)}`)],
          ['send lag max', num(ms(lag.maxMs))],
          ['connections (maxVUs)', num(l.generator?.connectionLimit ?? '—')],
        ])
      : '',
    kvRow([
      ['failed', num(`${t.failed} (${t.requests ? ((t.failed / t.requests) * 100).toFixed(2) : '0.00'}%)`)],
      ['iterations', t.iterations],
      ['dropped / interrupted', num(`${t.droppedIterations} / ${t.interruptedIterations}`)],
    ]),
  ];
  const open = l.model === 'open';
  const how = l.k6
    ? 'Percentiles from an HDR histogram of every http_req_duration sample k6 wrote (µs resolution)' +
      (open
        ? '; k6 times each request from its actual send, without coordinated-omission correction — late arrivals show as dropped iterations instead'
        : '') +
      '. A failed request is in http_req_failed and in the durations at the time k6 gave it.'
    : 'Percentiles from HDR histograms merged across workers (µs resolution)' +
      (open ? '; the open model times each request from its intended send time (coordinated omission corrected)' : '') +
      '. A request that got no answer is in http_req_failed and in the durations at its time to error or timeout.';
  const byClass = errors.length
    ? `<h3>Errors by class</h3>${table(
        ['class', 'count'],
        errors.map(([k, v]) => row([h(k), v])),
      )}`
    : '';
  const statuses = Object.entries(t.statuses)
    .map(([k, v]) => `<code>${h(k)}</code> × ${v}`)
    .join(' · ');
  return `<h2>Load <span class="dim">${h(l.profile)} · ${h(l.executor)} (${l.model} model) · ${h(l.engine)} engine, ${ran}</span></h2>
${l.stoppedEarly ? `<div class="errors"><b>Stopped early:</b> ${h(l.stoppedEarly)}</div>` : ''}
<table class="kv"><tbody>
${summary.filter(Boolean).join('\n')}
</tbody></table>
<p class="dim">${how}</p>
${flag}
${timeline ? timelineHtml(timeline) : ''}
${shardsPart(l)}
<h3>By request <span class="dim">HTTP judged as http_req_*, SQL as db_query_*, Redis as redis_cmd_*</span></h3>
${table(['name', 'method', 'requests', 'req/s', 'failed', 'p50', 'p95', 'p99', 'max'], rows)}
${spectrum ? spectrumHtml(spectrum) : ''}
${byClass}
${k6Part(l)}
<h3>Status codes</h3><p>${statuses || '—'}</p>`;
}

/** Connect + TLS handshake, reported apart from http_req_duration (k6's http_req_connecting). */
/** Distributed runs: each shard and what it sent; the figures above are their exact merge. */
function shardsPart(l: LoadResult): string {
  if (!l.shards) return '';
  const rows = l.shards
    .map((x) =>
      row(
        [
          x.index,
          `<code>${h(x.where ?? '—')}</code>`,
          `${h(x.status)}${x.lost ? ` — ${h(x.lost)}` : ''}`,
          num(x.startSkewMs === undefined ? '—' : x.startSkewMs === 0 ? 'on time' : formatMs(x.startSkewMs)),
          x.requests,
          x.failed,
          ...[x.p50Ms, x.p95Ms, x.p99Ms].map((v) => num(ms(v))),
        ],
        x.status === 'done' ? '' : ' class="lost"',
      ),
    )
    .join('');
  return `<h3>Shards</h3>
<p class="dim">Each shard ran 1/${l.shards.length} of the schedule in its own pod; the totals and percentiles above merge
their HDR histograms exactly (never an average of the shards' percentiles). Late start: how long after the common start
instant the shard was ready.</p>
${table(['shard', 'pod', 'status', 'late start', 'requests', 'failed', 'p50', 'p95', 'p99'], rows)}`;
}

function connectRow(l: LoadResult): string {
  const c = l.connecting?.latency;
  if (!c) return '';
  return kvRow([
    ['connects', c.count],
    ['connect p50 / p99', num(`${ms(c.p50Ms)} / ${ms(c.p99Ms)}`)],
    ['connect max', num(ms(c.maxMs))],
  ]);
}

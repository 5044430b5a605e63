// Timelines (Jepsen's idea, in the browser): what users saw, second by second — latency,
// throughput, errors by class, the write ledger, each probe's health — in panels on one shared
// time axis, with every fault shaded from its injection to its recovery and the RTO written on
// it. And the percentile spectrum of each request's latency. The specs are built here, from the
// record, and drawn by the small script below (uPlot, inlined once per report).
import type { ChaosResult, LoadResult, Verdict } from '../record/schema.ts';
import { formatMs } from '../core/duration.ts';
import { decode } from '../measure/histogram.ts';
import { escapeHtml as h, jsonForScript } from './escape.ts';

/** Okabe–Ito: a palette colour-blind readers can tell apart; lines also differ by dash. */
export const PALETTE = {
  blue: '#0072B2',
  orange: '#E69F00',
  green: '#009E73',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  sky: '#56B4E9',
  black: '#000000',
  grey: '#6e7781',
};
const PROBE_COLOURS = [PALETTE.blue, PALETTE.purple, PALETTE.green, PALETTE.orange];
const cycle = [PALETTE.vermillion, PALETTE.purple, PALETTE.orange, PALETTE.sky, PALETTE.black, PALETTE.grey];

type Value = number | null;
export interface Series {
  label: string;
  color: string;
  values: Value[];
  dash?: number[];
  /** Drawn as steps (states, counts per interval) rather than lines. */
  step?: boolean;
}
export interface Panel {
  title: string;
  unit: string;
  /** Own x values (seconds on the timeline); every panel shares the timeline's range. */
  x: number[];
  series: Series[];
  /** Fixed y range (probe levels). */
  range?: [number, number];
  /** y tick labels for fixed levels (probe names). */
  levels?: string[];
}
export interface Band {
  /** Seconds on the timeline. */
  from: number;
  to: number;
  label: string;
  /** false: the window ended with the fault's target still unrecovered. */
  recovered: boolean;
}
export interface Mark {
  at: number;
  label: string;
}
export interface Timeline {
  id: string;
  title: string;
  xLabel: string;
  range: [number, number];
  panels: Panel[];
  bands: Band[];
  marks: Mark[];
  /** How the series were thinned to stay small (a long run), if they were. */
  downsampled?: string;
}

/** At most this many points per series: a 30-minute run at 1 s is drawn whole. */
const MAX_POINTS = 1800;

type Second = LoadResult['series'][number];

/**
 * Long runs: buckets of `step` seconds, counts averaged per second, each percentile the worst
 * second's (a downsampled tail never looks better than it was).
 */
function thin(series: readonly Second[]): { series: Second[]; step: number } {
  const step = Math.max(1, Math.ceil(series.length / MAX_POINTS));
  if (step === 1) return { series: [...series], step };
  const out: Second[] = [];
  for (let i = 0; i < series.length; i += step) {
    const b = series.slice(i, i + step);
    const avg = (f: (s: Second) => number) => b.reduce((n, s) => n + f(s), 0) / b.length;
    const worst = (k: 'p50Ms' | 'p95Ms' | 'p99Ms') => {
      const v = b.map((s) => s[k]).filter((x): x is number => x !== undefined);
      return v.length ? Math.max(...v) : undefined;
    };
    const errors: Record<string, number> = {};
    for (const s of b) for (const [k, n] of Object.entries(s.errors)) errors[k] = (errors[k] ?? 0) + n / b.length;
    const p50 = worst('p50Ms');
    const p95 = worst('p95Ms');
    const p99 = worst('p99Ms');
    out.push({
      t: b[0]!.t,
      requests: avg((s) => s.requests),
      failed: avg((s) => s.failed),
      errors,
      vus: Math.max(...b.map((s) => s.vus)),
      dropped: avg((s) => s.dropped),
      ...(p50 !== undefined ? { p50Ms: p50 } : {}),
      ...(p95 !== undefined ? { p95Ms: p95 } : {}),
      ...(p99 !== undefined ? { p99Ms: p99 } : {}),
    });
  }
  return { series: out, step };
}

const opt = (v: number | undefined): Value => (v === undefined ? null : Math.round(v * 1000) / 1000);

/** Latency and throughput panels of a load, its seconds shifted by `offsetS` on the timeline. */
function loadPanels(series: readonly Second[], offsetS: number): { panels: Panel[]; step: number } {
  if (!series.length) return { panels: [], step: 1 };
  const { series: s, step } = thin(series);
  const x = s.map((p) => Math.round((offsetS + p.t + step / 2) * 1000) / 1000);
  const classes = [...new Set(s.flatMap((p) => Object.keys(p.errors)))].sort();
  const panels: Panel[] = [
    {
      title: 'Latency per second',
      unit: 'ms',
      x,
      series: [
        { label: 'p50', color: PALETTE.green, values: s.map((p) => opt(p.p50Ms)) },
        { label: 'p95', color: PALETTE.orange, values: s.map((p) => opt(p.p95Ms)) },
        { label: 'p99', color: PALETTE.vermillion, values: s.map((p) => opt(p.p99Ms)), dash: [6, 3] },
      ],
    },
    {
      title: 'Requests per second, and errors by class',
      unit: 'per second',
      x,
      series: [
        { label: 'requests', color: PALETTE.blue, values: s.map((p) => opt(p.requests)) },
        ...(classes.length
          ? classes.map((c, i) => ({
              label: `errors: ${c}`,
              color: cycle[i % cycle.length]!,
              values: s.map((p) => opt(p.errors[c] ?? 0)),
              step: true,
            }))
          : [{ label: 'failed', color: PALETTE.vermillion, values: s.map((p) => opt(p.failed)), step: true }]),
        ...(s.some((p) => p.dropped > 0)
          ? [{ label: 'dropped', color: PALETTE.grey, values: s.map((p) => opt(p.dropped)), dash: [2, 3] }]
          : []),
      ],
    },
  ];
  return { panels, step };
}

/**
 * The gate's (or a load run's) own timeline: no faults, the same panels; a windowed threshold
 * that failed has its worst window shaded.
 */
export function loadTimeline(l: LoadResult, id: string, verdicts: readonly Verdict[] = []): Timeline | undefined {
  if (!l.series.length) return undefined;
  const { panels, step } = loadPanels(l.series, 0);
  return {
    id,
    title: `${l.profile} — what the load saw, second by second`,
    xLabel: 'seconds from the start of the load',
    range: [0, Math.max(l.series.length, Math.ceil(l.durationMs / 1000))],
    panels,
    bands: verdicts
      .filter((v) => v.window && v.status !== 'pass')
      .map((v) => ({ from: v.window!.fromS, to: v.window!.toS, label: `${v.id}: worst window`, recovered: true })),
    marks: [],
    ...(step > 1 ? { downsampled: `${step}-second buckets: rates averaged, each percentile the worst second's` } : {}),
  };
}

/** One experiment on one time axis: its load, its writes, its probes, its faults shaded. */
export function experimentTimeline(c: ChaosResult, id: string): Timeline | undefined {
  const t0 = c.windowStartMs;
  const sec = (ms: number) => Math.round(((ms - t0) / 1000) * 1000) / 1000;
  const end = Math.max(sec(c.windowEndMs), 1);
  const panels: Panel[] = [];
  let step = 1;
  if (c.load?.series.length) {
    const lp = loadPanels(c.load.series, (c.load.startedAtMs - t0) / 1000);
    panels.push(...lp.panels);
    step = lp.step;
  }
  const ledger = c.ledger?.series;
  if (ledger?.length && c.ledger) {
    const x = ledger.map((s) => s.t + 0.5);
    panels.push({
      title: `Writes per second (${c.ledger.probe}), by the second they were sent`,
      unit: 'writes',
      x,
      series: [
        { label: 'acknowledged', color: PALETTE.blue, values: ledger.map((s) => s.acknowledged), step: true },
        { label: 'failed', color: PALETTE.vermillion, values: ledger.map((s) => s.failed), step: true },
        { label: 'indeterminate', color: PALETTE.orange, values: ledger.map((s) => s.indeterminate), step: true },
        { label: 'acknowledged, then lost', color: PALETTE.black, values: ledger.map((s) => s.lost), step: true },
      ],
    });
  }
  if (c.probes.length) {
    // Each probe on its own level: up at level + 0.8, down at the level itself.
    const xs = [...new Set(c.probes.flatMap((p) => p.samples.map((s) => sec(s[0]))))].sort((a, b) => a - b);
    const stride = Math.max(1, Math.ceil(xs.length / (MAX_POINTS * 2)));
    const slot = new Map(xs.map((v, i) => [v, Math.floor(i / stride)]));
    const x = xs.filter((_, i) => i % stride === 0);
    panels.push({
      title: 'Probe health (upper step: healthy; lower: failing)',
      unit: 'probe',
      x,
      range: [-0.3, c.probes.length + 0.1],
      levels: c.probes.map((p) => p.name),
      series: c.probes.map((p, i) => {
        // With a stride, a slot shows failing if any sample in it failed.
        const up = new Map<number, boolean>();
        for (const [t, ok] of p.samples) {
          const k = slot.get(sec(t))!;
          up.set(k, (up.get(k) ?? true) && ok === 1);
        }
        return {
          label: p.name,
          color: PROBE_COLOURS[i % PROBE_COLOURS.length]!,
          values: x.map((_, k) => (up.has(k) ? i + (up.get(k) ? 0.8 : 0) : null)),
          step: true,
        };
      }),
    });
  }
  if (!panels.length) return undefined;
  const bands: Band[] = [];
  const marks: Mark[] = [];
  for (const f of c.faults) {
    if (f.injectedAtMs === undefined) continue;
    // RTO 0 (no outage seen) is a line at the injection; no RTO, a band to the window's end.
    const recovered = f.rtoMs !== undefined;
    bands.push({
      from: sec(f.injectedAtMs),
      to: recovered ? sec(f.recoveredAtMs ?? f.injectedAtMs + f.rtoMs!) : end,
      label: `${f.id} ${f.label} — ${recovered ? `RTO ${f.rtoMs ? formatMs(f.rtoMs) : '0 (no outage)'}` : 'not recovered'}`,
      recovered,
    });
    for (const e of f.events) if (Math.abs(e.atMs - f.injectedAtMs) > 1) marks.push({ at: sec(e.atMs), label: f.id });
  }
  return {
    id,
    title: `${c.experiment} — what users saw through the fault`,
    xLabel: 'seconds from the start of the experiment window',
    range: [0, end],
    panels,
    bands,
    marks,
    ...(step > 1 ? { downsampled: `${step}-second buckets: rates averaged, each percentile the worst second's` } : {}),
  };
}

/** Percentiles of the spectrum: 0, 50, 75, 87.5, … halving the distance to 100 %, then the max. */
const SPECTRUM = [0, 50, 75, 87.5, 90, 93.75, 95, 96.875, 98.4375, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999];

export interface Spectrum {
  id: string;
  /** 1 / (1 − p): 1 at p0, 10 at p90, 100 at p99, … (the x axis is log). */
  x: number[];
  series: Series[];
}

/**
 * HdrHistogram's percentile distribution per request name (and all requests): a slow path in
 * 1.5 % of calls shows as a cliff at the 98.5th percentile. From the exact histograms in the record.
 */
export function percentileSpectrum(l: LoadResult, id: string): Spectrum | undefined {
  const named: [string, string | undefined][] = [
    ['all requests', l.all.histogram],
    ...Object.entries(l.byName).map(([n, b]) => [n, b.histogram] as [string, string | undefined]),
  ];
  const hists = named
    .map(([n, enc]) => {
      try {
        const hg = enc ? decode(enc) : undefined;
        return hg && hg.totalCount > 0 ? ([n, hg] as const) : undefined;
      } catch {
        return undefined;
      }
    })
    .filter((x) => x !== undefined);
  if (!hists.length) return undefined;
  const maxCount = Math.max(...hists.map(([, hg]) => hg.totalCount));
  // Only percentiles the data can resolve (p99.99 needs ≥ 10 000 samples), then the max.
  const ps = SPECTRUM.filter((p) => p === 0 || 1 / (1 - p / 100) <= maxCount);
  const x = [...ps.map((p) => Math.round((1 / (1 - p / 100)) * 1000) / 1000), Math.max(maxCount, 2)];
  return {
    id,
    x,
    series: hists.map(([n, hg], i) => ({
      label: `${n} (${hg.totalCount})`,
      color: i === 0 ? PALETTE.black : cycle[(i - 1) % cycle.length]!,
      values: [
        ...ps.map((p) => (1 / (1 - p / 100) <= hg.totalCount || p === 0 ? hg.getValueAtPercentile(p) / 1000 : null)),
        hg.maxValue / 1000,
      ],
      ...(i === 0 ? { dash: [6, 3] } : {}),
    })),
  };
}

export const timelineHtml = (t: Timeline) =>
  `<h3>${h(t.title)}</h3><div class="timeline" id="${t.id}" data-range="${t.range.join(',')}"></div>
${t.downsampled ? `<p class="dim">Drawn in ${t.downsampled}.</p>` : ''}
<script type="application/json" id="${t.id}-spec">${jsonForScript(t)}</script>`;

export const spectrumHtml = (s: Spectrum) =>
  `<div class="spectrum" id="${s.id}"></div>
<script type="application/json" id="${s.id}-spec">${jsonForScript(s)}</script>`;

/**
 * The drawing code, inlined once: every .timeline and .spectrum element is drawn from its JSON
 * spec. Panels share the x range and the cursor; faults are shaded on every panel.
 */
export const chartsScript = `<script>
(function () {
  if (typeof uPlot === 'undefined') return;
  window.gauntletCharts = [];
  var main = document.querySelector('main');
  var width = function () { return Math.max(320, Math.min(1140, main.clientWidth - 10)); };
  function spec(el) { return JSON.parse(document.getElementById(el.id + '-spec').textContent); }
  function bandsHook(t) {
    return function (u) {
      var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
      t.bands.forEach(function (b, i) {
        var x0 = u.valToPos(b.from, 'x', true), x1 = u.valToPos(b.to, 'x', true);
        ctx.save();
        ctx.fillStyle = b.recovered ? 'rgba(213,94,0,0.13)' : 'rgba(204,121,167,0.22)';
        ctx.fillRect(x0, top, Math.max(1, x1 - x0), h);
        ctx.strokeStyle = '#D55E00'; ctx.lineWidth = 1.5; ctx.setLineDash([]);
        ctx.beginPath(); ctx.moveTo(x0, top); ctx.lineTo(x0, top + h); ctx.stroke();
        if (b.recovered) {
          ctx.strokeStyle = '#009E73'; ctx.setLineDash([5, 3]);
          ctx.beginPath(); ctx.moveTo(x1, top); ctx.lineTo(x1, top + h); ctx.stroke();
        }
        if (u.gauntletFirst) {
          ctx.textAlign = 'left'; ctx.textBaseline = 'alphabetic'; ctx.fillStyle = '#1f2328';
          ctx.font = 'bold ' + (11 * devicePixelRatio) + 'px sans-serif';
          ctx.fillText(b.label, x0 + 4, top + (13 + 14 * i) * devicePixelRatio);
        }
        ctx.restore();
      });
      t.marks.forEach(function (m) {
        var px = u.valToPos(m.at, 'x', true);
        ctx.save(); ctx.strokeStyle = '#57606a'; ctx.setLineDash([2, 3]);
        ctx.beginPath(); ctx.moveTo(px, top); ctx.lineTo(px, top + h); ctx.stroke(); ctx.restore();
      });
    };
  }
  document.querySelectorAll('.timeline').forEach(function (el) {
    var t = spec(el);
    t.panels.forEach(function (p, i) {
      var div = document.createElement('div'); el.appendChild(div);
      var series = [{ label: 's' }].concat(p.series.map(function (s) {
        return { label: s.label, stroke: s.color, width: 1.5, dash: s.dash, spanGaps: !!p.levels,
          paths: s.step ? uPlot.paths.stepped({ align: 1 }) : undefined, points: { show: false } };
      }));
      var yAxis = p.levels
        ? { label: p.unit, size: 110, splits: p.levels.map(function (_, k) { return k + 0.4; }),
            values: function () { return p.levels; } }
        : { label: p.unit, size: 110 };
      var u = new uPlot({
        title: p.title, width: width(), height: p.levels ? 120 + 40 * p.levels.length : 210,
        legend: { live: false }, cursor: { sync: { key: t.id } },
        scales: { x: { time: false, range: t.range },
          y: p.range ? { range: p.range } : { range: function (u, lo, hi) { return [0, hi > 0 ? hi * 1.1 : 1]; } } },
        axes: [{ label: i === t.panels.length - 1 ? t.xLabel : '' }, yAxis],
        series: series, hooks: { draw: [bandsHook(t)] }
      }, [p.x].concat(p.series.map(function (s) { return s.values; })), div);
      u.gauntletFirst = i === 0;
      u.redraw(false);
      window.gauntletCharts.push({ id: t.id, panel: i, bands: t.bands, u: u });
    });
  });
  document.querySelectorAll('.spectrum').forEach(function (el) {
    var s = spec(el);
    var label = function (v) {
      if (v <= 1) return '0%';
      var p = 100 * (1 - 1 / v); return parseFloat(p.toFixed(p >= 99 ? 3 : 0)) + '%';
    };
    var last = s.x[s.x.length - 1];
    var ticks = [1, 2, 10, 100, 1000, 10000, 100000].filter(function (v) { return v < last; });
    var u = new uPlot({
      title: 'Latency by percentile (log axis: each step right is ten times rarer)', width: width(), height: 260,
      legend: { live: false },
      scales: { x: { time: false, distr: 3, range: [1, last] }, y: { distr: 3 } },
      axes: [{ label: 'percentile (the last point is the max)', filter: function (u, vs) { return vs; },
        splits: function () { return ticks.concat([last]); },
        values: function (u, vs) { return vs.map(function (v) { return v === last ? 'max' : label(v); }); } },
        { label: 'ms (log)', size: 60 }],
      series: [{ label: 'percentile', value: function (u, v) { return label(v); } }].concat(s.series.map(function (x) {
        return { label: x.label, stroke: x.color, width: 1.5, dash: x.dash, spanGaps: true, points: { show: true, size: 4 } };
      }))
    }, [s.x].concat(s.series.map(function (x) { return x.values; })), el);
    window.gauntletCharts.push({ id: s.id, panel: 0, bands: [], u: u });
  });
})();
</script>`;

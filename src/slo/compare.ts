// Pure: two run records → per-metric deltas and regressions, and verdicts that changed.
// A metric only one run has is shown, never judged.
import type { RunRecord } from '../record/schema.ts';

export interface CompareLimits {
  latencyIncrease: number;
  errorRateIncrease: number;
  throughputDrop: number;
  rtoIncrease: number;
}

export interface Delta {
  metric: string;
  base: number | undefined;
  next: number | undefined;
  unit: 'ms' | '%' | 'req/s' | 'writes';
  /** The limit in words, e.g. "+10% at most". */
  limit: string;
  regression: boolean;
}

type Metric = { metric: string; unit: Delta['unit']; get: (r: RunRecord) => number | undefined; judge: (base: number, next: number, l: CompareLimits) => { limit: string; regression: boolean } };

const higherIsWorse = (key: 'latencyIncrease' | 'rtoIncrease') => (b: number, n: number, l: CompareLimits) => ({ limit: `+${(l[key] * 100).toFixed(0)}% at most`, regression: n > b * (1 + l[key]) });
const lowerIsWorse = (b: number, n: number, l: CompareLimits) => ({ limit: `−${(l.throughputDrop * 100).toFixed(0)}% at most`, regression: n < b * (1 - l.throughputDrop) });

function metrics(base: RunRecord, next: RunRecord): Metric[] {
  const out: Metric[] = [];
  for (const p of ['p50Ms', 'p95Ms', 'p99Ms'] as const) {
    out.push({ metric: `http_req_duration ${p.slice(0, 3)}`, unit: 'ms', get: (r) => r.load?.all.latency?.[p], judge: p === 'p50Ms' ? () => ({ limit: 'shown', regression: false }) : higherIsWorse('latencyIncrease') });
  }
  out.push({
    metric: 'http_req_failed rate',
    unit: '%',
    get: (r) => (r.load && r.load.totals.requests ? (r.load.totals.failed / r.load.totals.requests) * 100 : undefined),
    judge: (b, n, l) => ({ limit: `+${(l.errorRateIncrease * 100).toFixed(2)} pt at most`, regression: n > b + l.errorRateIncrease * 100 }),
  });
  out.push({ metric: 'throughput', unit: 'req/s', get: (r) => (r.load ? r.load.totals.requests / (r.load.durationMs / 1000) : undefined), judge: lowerIsWorse });
  out.push({ metric: 'capacity', unit: 'req/s', get: (r) => r.capacity?.sustainableRps, judge: lowerIsWorse });
  // RTO per experiment and fault, matched by experiment name and fault id.
  const keys = new Set([...(base.chaos ?? []), ...(next.chaos ?? [])].flatMap((c) => c.faults.map((f) => `${c.experiment} ${f.id}`)));
  for (const key of keys) {
    const rto = (r: RunRecord) => r.chaos?.flatMap((c) => c.faults.map((f) => ({ key: `${c.experiment} ${f.id}`, rto: f.rtoMs }))).find((x) => x.key === key)?.rto;
    out.push({ metric: `RTO ${key}`, unit: 'ms', get: rto, judge: higherIsWorse('rtoIncrease') });
  }
  const lost = (r: RunRecord) => (r.chaos?.some((c) => c.ledger) ? r.chaos.reduce((n, c) => n + (c.ledger?.lost.length ?? 0), 0) : undefined);
  out.push({ metric: 'acknowledged writes lost', unit: 'writes', get: lost, judge: (b, n) => ({ limit: 'no more than before', regression: n > b }) });
  return out;
}

export function compareRuns(base: RunRecord, next: RunRecord, limits: CompareLimits): { deltas: Delta[]; newFailures: string[]; fixed: string[] } {
  const deltas: Delta[] = [];
  for (const m of metrics(base, next)) {
    const b = m.get(base);
    const n = m.get(next);
    if (b === undefined && n === undefined) continue;
    const j = b !== undefined && n !== undefined ? m.judge(b, n, limits) : { limit: 'only one run has it', regression: false };
    deltas.push({ metric: m.metric, base: b, next: n, unit: m.unit, ...j });
  }
  const status = (r: RunRecord) => new Map(r.verdicts.map((v) => [v.id, v.status]));
  const [bs, ns] = [status(base), status(next)];
  const newFailures = [...ns].filter(([id, st]) => st !== 'pass' && bs.get(id) === 'pass').map(([id]) => id);
  const fixed = [...ns].filter(([id, st]) => st === 'pass' && bs.has(id) && bs.get(id) !== 'pass').map(([id]) => id);
  return { deltas, newFailures, fixed };
}

export function formatValue(v: number | undefined, unit: Delta['unit']): string {
  if (v === undefined) return '—';
  if (unit === 'ms') return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v >= 100 ? 0 : 2)} ms`;
  if (unit === '%') return `${v.toFixed(2)}%`;
  if (unit === 'req/s') return `${v.toFixed(1)} req/s`;
  return `${v}`;
}

export function change(d: Delta): string {
  if (d.base === undefined || d.next === undefined) return '';
  if (d.unit === '%') return `${d.next - d.base >= 0 ? '+' : ''}${(d.next - d.base).toFixed(2)} pt`;
  if (d.base === 0) return d.next === 0 ? '±0' : `+${d.next}`;
  const r = (d.next - d.base) / d.base;
  return `${r >= 0 ? '+' : ''}${(r * 100).toFixed(1)}%`;
}

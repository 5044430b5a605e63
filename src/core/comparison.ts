// The one comparator: "value op bound" as thresholds, chaos objectives, probe objectives and
// Prometheus objectives write it, and the typed objectives (uptime, RTO, RPO, …) parsed once, at
// plan time, with the direction their metric implies. Pure, in core/ so every stage may use it.
import { parseDurationMs } from './duration.ts';

export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Comparison {
  op: ComparisonOp;
  value: number;
}

/** Does `x` meet `c`? */
export function holds(x: number, c: Comparison): boolean {
  switch (c.op) {
    case '<':
      return x < c.value;
    case '<=':
      return x <= c.value;
    case '>':
      return x > c.value;
    case '>=':
      return x >= c.value;
    case '==':
      return x === c.value;
    case '!=':
      return x !== c.value;
  }
}

/** "<0.01", ">= 5", "==1e-3" → a comparison with a number; undefined when the text is not one. */
export function parseNumericComparison(text: string): Comparison | undefined {
  const m = /^\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/.exec(text);
  return m ? { op: m[1] as ComparisonOp, value: Number(m[2]) } : undefined;
}

/** What an objective holds a number of: each metric has its unit(s) and its direction. */
export type Metric = 'uptime' | 'throughput' | 'latency' | 'error-rate' | 'rto' | 'rpo' | 'lost-writes';
/** ms: a duration; ratio: 0–1, written as a percentage; writes: a count of writes; per-second: a rate. */
export type ObjectiveUnit = 'ms' | 'ratio' | 'writes' | 'per-second';
/** at-least: a floor (more is better); at-most: a ceiling (less is better). */
export type Direction = 'at-least' | 'at-most';

/** A parsed objective: a comparison that knows its metric and unit, its operator never against the metric. */
export interface Objective extends Comparison {
  metric: Metric;
  unit: ObjectiveUnit;
}

interface MetricSpec {
  /** As a message names it. */
  name: string;
  direction: Direction;
  /** The units its text may be in, tried in this order. */
  units: readonly ObjectiveUnit[];
  /** What to write, in a message. */
  example: string;
}

export const METRICS = {
  uptime: { name: 'uptime', direction: 'at-least', units: ['ratio'], example: '">=99.9%"' },
  throughput: { name: 'throughput', direction: 'at-least', units: ['per-second'], example: '">=100/s"' },
  latency: { name: 'latency', direction: 'at-most', units: ['ms'], example: '"<=200ms"' },
  'error-rate': { name: 'error rate', direction: 'at-most', units: ['ratio'], example: '"<=1%"' },
  rto: { name: 'RTO', direction: 'at-most', units: ['ms'], example: '"<=30s"' },
  rpo: { name: 'RPO', direction: 'at-most', units: ['writes', 'ms'], example: '"0 writes" or "<=1s"' },
  'lost-writes': { name: 'lost writes', direction: 'at-most', units: ['writes'], example: '"0 writes"' },
} as const satisfies Record<Metric, MetricSpec>;

/** A parsed objective, or one line saying what is wrong with the text and what to write. */
export type ParsedObjective = { ok: true; objective: Objective } | { ok: false; problem: string };

const OPS: Record<string, ComparisonOp> = { '<': '<', '<=': '<=', '≤': '<=', '>': '>', '>=': '>=', '≥': '>=' };

/**
 * An objective as experiments, the config and the DR plan write it: "<30s", "<=1h", ">=99.9%",
 * "0 writes", "99.9%". With no operator the metric decides (uptime and throughput: at least;
 * latency, error rate, RTO, RPO, lost writes: at most). An operator against the metric's
 * direction ("<99.9%" for uptime would pass 0 %), "==" where it is not the same as the direction,
 * "!=", a bare number where the unit could be read two ways, or a bound that can never be met is
 * refused with what to write instead.
 */
export function parseObjective(text: string, metric: Metric): ParsedObjective {
  const spec: MetricSpec = METRICS[metric];
  const refuse = (why: string): ParsedObjective => ({
    ok: false,
    problem: `${spec.name} "${text}" ${why}: write ${spec.example}`,
  });
  const m = /^\s*(<=|>=|==|!=|=|<|>|≤|≥)?\s*(.*?)\s*$/.exec(text)!;
  const written = m[1];
  const raw = m[2]!;
  if (raw === '') return refuse('has no bound');
  let amount: { unit: ObjectiveUnit; value: number } | undefined;
  for (const unit of spec.units) {
    const value = parseAmount(raw, unit);
    if (value !== undefined) {
      amount = { unit, value };
      break;
    }
  }
  if (!amount) {
    if (/^\d+(\.\d+)?$/.test(raw)) return refuse(`is a number without a unit (${unitsSaid(spec.units)})`);
    return refuse(`is not ${unitsSaid(spec.units)}`);
  }
  const floor = spec.direction === 'at-least';
  const along: readonly ComparisonOp[] = floor ? ['>=', '>'] : ['<=', '<'];
  // The extreme a measurement cannot pass: 100 % for a ratio floor, 0 for a ceiling.
  const extreme = floor ? (amount.unit === 'ratio' ? 1 : undefined) : 0;
  let op: ComparisonOp;
  if (written === undefined) op = floor ? '>=' : '<=';
  else if (written === '!=') return refuse('can pass a worse value than it fails');
  else if (written === '==' || written === '=') {
    // "==100%" uptime and "==0 writes" are the direction itself; "==99.9%" would fail 100 %.
    if (amount.value !== extreme) return refuse(`passes only exactly that and fails anything better`);
    op = floor ? '>=' : '<=';
  } else {
    op = OPS[written]!;
    if (!along.includes(op))
      return refuse(
        `would pass a worse ${spec.name} and fail a better one (${spec.name} is ${spec.direction.replace('-', ' ')})`,
      );
  }
  if (amount.unit === 'ratio' && amount.value > 1) return refuse('is above 100%');
  if ((op === '<' && amount.value === 0) || (op === '>' && amount.value === extreme)) return refuse('can never be met');
  return { ok: true, objective: { metric, unit: amount.unit, op, value: amount.value } };
}

/** The objective, or a throw: for text already checked (a literal in code, a test). */
export function objective(text: string, metric: Metric): Objective {
  const p = parseObjective(text, metric);
  if (!p.ok) throw new Error(p.problem);
  return p.objective;
}

/** The canonical text of an objective, which parses back to the same objective: ">=99.9%", "<=30s", "<=0 writes". */
export function formatObjective(o: Comparison & { unit: ObjectiveUnit }): string {
  return `${o.op}${formatAmount(o.value, o.unit)}`;
}

/** A ratio written as a percentage ("99.9%" → 0.999); undefined when the text is not one. */
export function parsePercent(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  // Scaled in decimal (correctly rounded), so "99.9%" is the double nearest 0.999.
  return m ? Number(`${m[1]}e-2`) : undefined;
}

/** A ratio as the shortest percentage that parses back to it: 0.999 → "99.9%". */
export function formatPercent(ratio: number): string {
  return `${shortest(ratio * 100, (s) => parsePercent(`${s}%`) === ratio)}%`;
}

function parseAmount(raw: string, unit: ObjectiveUnit): number | undefined {
  switch (unit) {
    case 'ms':
      return parseDurationMs(raw);
    case 'ratio':
      return parsePercent(raw);
    case 'writes': {
      const m = /^(\d+)(?:\s*writes?)?$/.exec(raw);
      return m ? Number(m[1]) : undefined;
    }
    case 'per-second': {
      const m = /^(\d+(?:\.\d+)?)\s*(?:req)?\/s$/.exec(raw);
      return m ? Number(m[1]) : undefined;
    }
  }
}

const DURATION_UNITS = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
] as const;

function formatAmount(value: number, unit: ObjectiveUnit): string {
  switch (unit) {
    case 'ratio':
      return formatPercent(value);
    case 'writes':
      return `${value} writes`;
    case 'per-second':
      return `${value}/s`;
    case 'ms': {
      // The shortest text that parses back exactly; on a tie, the larger unit ("90s", "1.5s", "2h").
      if (value === 0) return '0s';
      let best: string | undefined;
      for (const [suffix, ms] of DURATION_UNITS) {
        const n = shortest(value / ms, (s) => parseDurationMs(`${s}${suffix}`) === value, true);
        if (n !== undefined && (best === undefined || `${n}${suffix}`.length < best.length)) best = `${n}${suffix}`;
      }
      return best ?? `${value}ms`;
    }
  }
}

/** The shortest plain decimal near `x` that `fits`; `x` itself (or undefined when `strict`) if none does. */
function shortest(x: number, fits: (s: string) => boolean, strict: true): string | undefined;
function shortest(x: number, fits: (s: string) => boolean): string;
function shortest(x: number, fits: (s: string) => boolean, strict = false): string | undefined {
  for (let p = 1; p <= 17; p++) {
    const s = plain(Number(x.toPrecision(p)));
    if (s !== undefined && fits(s)) return s;
  }
  return strict ? undefined : (plain(x) ?? String(x));
}

/** A non-negative number as digits and a point, never an exponent; undefined when it has none. */
function plain(x: number): string | undefined {
  if (!Number.isFinite(x) || x < 0) return undefined;
  const s = String(x);
  if (!s.includes('e')) return s;
  if (x >= 1) return BigInt(Math.round(x)).toString();
  const fixed = x.toFixed(20).replace(/0+$/, '');
  return fixed.endsWith('.') ? fixed.slice(0, -1) : fixed;
}

function unitsSaid(units: readonly ObjectiveUnit[]): string {
  const say: Record<ObjectiveUnit, string> = {
    ms: 'a duration ("30s", "250ms", "2h")',
    ratio: 'a percentage ("99.9%")',
    writes: 'a count of writes ("0 writes")',
    'per-second': 'a rate ("100/s")',
  };
  return units.map((u) => say[u]).join(' or ');
}

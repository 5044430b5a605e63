// The one comparator: "value op bound" as thresholds, chaos objectives, probe objectives and
// Prometheus objectives write it. Pure, in core/ so every stage (run/ included) may use it.
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

/**
 * An objective as chaos experiments and the DR plan write it: "<30s", "<=1h", ">=99.9%", "0 writes"
 * (no operator means <=). Undefined when the text is not one in this unit.
 */
export function parseObjective(text: string, unit: 'ms' | 'percent' | 'count'): Comparison | undefined {
  const m = /^\s*(<=|>=|<|>|==|=)?\s*(.+?)\s*$/.exec(text);
  if (!m) return undefined;
  const op = (m[1] === '=' ? '==' : (m[1] ?? '<=')) as ComparisonOp;
  const raw = m[2]!;
  const value =
    unit === 'ms'
      ? parseDurationMs(raw)
      : unit === 'percent'
        ? /^(\d+(?:\.\d+)?)%$/.test(raw)
          ? Number(raw.slice(0, -1)) / 100
          : undefined
        : /^\d+( writes?)?$/.test(raw)
          ? Number.parseInt(raw, 10)
          : undefined;
  return value === undefined ? undefined : { op, value };
}

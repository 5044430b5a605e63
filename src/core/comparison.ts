// The one comparator: "value op bound" as thresholds, chaos objectives, probe objectives and
// Prometheus objectives write it. Pure, in core/ so every stage (run/ included) may use it.

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

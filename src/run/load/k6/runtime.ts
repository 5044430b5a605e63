// Runs inside k6 (bundled by esbuild into every script Gauntlet hands to k6): the weighted
// request pick of generated scripts, and the handleSummary that gives Gauntlet k6's end-of-test
// data as JSON — to a file locally, or between markers on stdout where only logs come back
// (k6-operator's runner pods). No k6 or Node imports: it must run in both.
declare const __ENV: Record<string, string | undefined>;

export const SUMMARY_BEGIN = '<<<gauntlet-k6-summary>>>';
export const SUMMARY_END = '<<<end-gauntlet-k6-summary>>>';

export interface PlanRequest {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  weight: number;
}

/** A request of the mix, chosen at random in proportion to its weight. */
export function pick(requests: PlanRequest[], total: number): PlanRequest {
  let r = Math.random() * total;
  for (const q of requests) {
    r -= q.weight;
    if (r < 0) return q;
  }
  return requests[requests.length - 1]!;
}

type Outputs = Record<string, string>;

/** handleSummary: the user's own outputs (if the script has a handleSummary), plus Gauntlet's JSON. */
export function summaryOutputs(data: unknown, user?: (d: unknown) => Outputs | undefined): Outputs {
  const out: Outputs = { ...(user ? (user(data) ?? {}) : {}) };
  const json = JSON.stringify(data);
  const target = __ENV.GAUNTLET_K6_SUMMARY;
  if (!target || target === 'stdout') out.stdout = `${out.stdout ?? ''}\n${SUMMARY_BEGIN}${json}${SUMMARY_END}\n`;
  else out[target] = json;
  return out;
}

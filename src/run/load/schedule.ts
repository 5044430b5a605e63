// Pure schedules for the executors: how many VUs at time t (closed), when arrival j is due
// (open), and how a total is shared between worker threads.
import type { Executor } from '../../config/profile.ts';

interface RateStage {
  startMs: number;
  durationMs: number;
  r0: number; // arrivals per ms at the stage start
  r1: number;
  before: number; // cumulative arrivals at the stage start
}

/** Share of `total` that worker `index` of `workers` takes (shares differ by at most 1). */
export function shareOf(total: number, index: number, workers: number): number {
  return Math.floor(total / workers) + (index < total % workers ? 1 : 0);
}

/** VUs wanted at t ms for a closed-model executor (linear ramps between stage targets, as k6). */
export function vusAt(e: Executor, tMs: number): number {
  if (e.executor === 'constant-vus') return tMs < e.duration ? e.vus : 0;
  if (e.executor !== 'ramping-vus') throw new Error(`vusAt: ${e.executor} is an open-model executor`);
  let from = e.startVUs;
  let start = 0;
  for (const s of e.stages) {
    if (tMs < start + s.duration) return Math.round(from + ((s.target - from) * (tMs - start)) / s.duration);
    start += s.duration;
    from = s.target;
  }
  return 0;
}

/** The arrival schedule of an open-model executor: arrival j (0-based) is due at timeOf(j) ms. */
export class ArrivalSchedule {
  readonly #stages: RateStage[] = [];
  readonly total: number;
  readonly durationMs: number;

  constructor(e: Executor) {
    if (e.executor === 'constant-arrival-rate') {
      const r = e.rate / e.timeUnit;
      this.#stages.push({ startMs: 0, durationMs: e.duration, r0: r, r1: r, before: 0 });
    } else if (e.executor === 'ramping-arrival-rate') {
      let from = e.startRate / e.timeUnit;
      let start = 0;
      let before = 0;
      for (const s of e.stages) {
        const to = s.target / e.timeUnit;
        this.#stages.push({ startMs: start, durationMs: s.duration, r0: from, r1: to, before });
        before += ((from + to) / 2) * s.duration;
        start += s.duration;
        from = to;
      }
    } else {
      throw new Error(`ArrivalSchedule: ${e.executor} is a closed-model executor`);
    }
    const last = this.#stages[this.#stages.length - 1]!;
    this.durationMs = last.startMs + last.durationMs;
    this.total = Math.floor(last.before + ((last.r0 + last.r1) / 2) * last.durationMs + 1e-9);
  }

  /** When arrival j is due, ms from the start; Infinity past the end. */
  timeOf(j: number): number {
    if (j >= this.total) return Infinity;
    for (const s of this.#stages) {
      const inStage = ((s.r0 + s.r1) / 2) * s.durationMs;
      if (j < s.before + inStage - 1e-9 || s === this.#stages[this.#stages.length - 1]) {
        const a = j - s.before;
        if (s.r0 === s.r1) return s.startMs + a / s.r0;
        const k = (s.r1 - s.r0) / s.durationMs;
        return s.startMs + (-s.r0 + Math.sqrt(s.r0 * s.r0 + 2 * k * a)) / k;
      }
    }
    return Infinity;
  }

  /** Arrivals per second at t ms (for progress and reports). */
  rateAt(tMs: number): number {
    for (const s of this.#stages) {
      if (tMs < s.startMs + s.durationMs) return (s.r0 + ((s.r1 - s.r0) * (tMs - s.startMs)) / s.durationMs) * 1000;
    }
    return 0;
  }
}

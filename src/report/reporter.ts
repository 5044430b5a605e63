// A reporter renders a run record to files; publish writes them. A reporter that throws is
// recorded, never fatal.
import type { RunRecord } from '../record/schema.ts';

export interface Artifact {
  /** Path relative to the run's report folder. */
  path: string;
  content: string;
}

export interface Reporter {
  name: string;
  render(record: RunRecord): Artifact[];
}

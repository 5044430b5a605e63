import { describe, expect, it } from 'vitest';
import { measureRto, type Sample } from './recovery.ts';

// Each case below pins what a surviving mutant changed (docs/mutation.md).
const series = (pattern: string, stepMs = 1000, startMs = 0): Sample[] =>
  [...pattern].map((c, i) => ({ t: startMs + i * stepMs, ok: c === '.', latencyMs: 1 }));

describe('RTO: the end of the window and the notes', () => {
  it('a failure ending exactly when the next fault went in is the next fault’s, not a relapse of this one', () => {
    const s: Sample[] = [...series('x...'), { t: 4000, ok: false, latencyMs: 500 }];
    expect(measureRto(s, 0, 3, 4500)).toEqual({
      rtoMs: 1000,
      outageStartMs: 0,
      recoveredAtMs: 1000,
      note: 'healthy from 1.00 s to the end of the window (3 samples)',
    });
    // One millisecond later it ended inside this window: this fault's relapse, never recovered.
    expect(measureRto(s, 0, 3, 4501)).toEqual({
      rtoMs: undefined,
      outageStartMs: 0,
      note: 'never 3 healthy samples in a row after the last failure in the window (1 relapse after a recovery)',
    });
  });

  it('never recovered: the note counts the relapses, and names none when there was none', () => {
    expect(measureRto(series('..xxx..'), 0, 3)).toEqual({
      rtoMs: undefined,
      outageStartMs: 2000,
      note: 'never 3 healthy samples in a row after the last failure in the window',
    });
    expect(measureRto(series('x.x.x.'), 0, 3)).toEqual({
      rtoMs: undefined,
      outageStartMs: 0,
      note: 'never 3 healthy samples in a row after the last failure in the window (2 relapses after a recovery)',
    });
  });

  it('recovered after two relapses: the note says relapses, plural', () => {
    expect(measureRto(series('x.x.x...'), 0, 3)).toEqual({
      rtoMs: 5000,
      outageStartMs: 0,
      recoveredAtMs: 5000,
      note: 'healthy from 5.00 s to the end of the window (3 samples), after 2 relapses',
    });
  });
});

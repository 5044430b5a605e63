import { describe, expect, it } from 'vitest';
import { formatMs, parseDurationMs } from './duration.ts';

describe('parseDurationMs', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    [' 10s ', 10_000],
  ])('%s → %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', '10', 'ten seconds', '10x', '5s junk', '-5s'])('rejects %j', (text) =>
    expect(parseDurationMs(text)).toBeUndefined(),
  );
});

describe('formatMs', () => {
  it('picks a unit a human reads', () => {
    expect(formatMs(0.25)).toBe('250 µs');
    expect(formatMs(3.456)).toBe('3.46 ms');
    expect(formatMs(1500)).toBe('1.50 s');
    expect(formatMs(125_000)).toBe('2m5s');
  });
});

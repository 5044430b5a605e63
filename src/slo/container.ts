// Pure: the image under test came up, or did not — a gate before the deploy fails on an image that
// exits or never answers, with the end of its output as the evidence.
import { formatMs } from '../core/duration.ts';
import { decided, failed } from './verdict.ts';
import type { Verdict } from '../record/schema.ts';

const base = (path: string, timeoutMs: number) =>
  ({
    id: 'container',
    kind: 'container',
    objective: `the image under test starts and answers ${path} within ${formatMs(timeoutMs)}`,
  }) as const;

export function containerReadyVerdict(
  o: { image: string; imageId: string; readyMs: number },
  path: string,
  timeoutMs: number,
): Verdict {
  return decided(
    base(path, timeoutMs),
    true,
    { samples: 1, coveredMs: o.readyMs, from: `an answer from ${o.image} below 500` },
    { observed: `${o.image} (${o.imageId.slice(0, 19)}) answered in ${formatMs(o.readyMs)}` },
  );
}

export function containerFailedVerdict(o: { why: string; logs: string }, path: string, timeoutMs: number): Verdict {
  return failed(base(path, timeoutMs), {
    observed: o.why,
    detail: o.logs ? `its last output: ${o.logs}` : 'it wrote nothing',
  });
}

/** The image (or a server beside it) was up at the start and gone by the end: the run proves nothing of it. */
export function containerLostVerdict(
  what: string,
  o: { why: string; logs: string },
  path: string,
  timeoutMs: number,
): Verdict {
  return failed(
    {
      ...base(path, timeoutMs),
      objective: `${base(path, timeoutMs).objective}, and it and what it needs run until the end of the run`,
    },
    { observed: `${what}: ${o.why}`, detail: o.logs ? `its last output: ${o.logs}` : 'no output of it could be read' },
  );
}

import { describe, expect, it } from 'vitest';
import { ChaosResult } from '../record/schema.ts';
import { scenarioFigures } from './drill.ts';

const probe = (name: string, kind: string, oks: number[]) => ({
  name,
  kind,
  intervalMs: 1000,
  total: oks.length,
  ok: oks.filter(Boolean).length,
  healthyMs: oks.filter(Boolean).length * 1000,
  coveredMs: oks.length * 1000,
  samples: oks.map((ok, i) => [i * 1000, ok, 1]),
});

describe("a drill scenario's figures", () => {
  it('name the probe each came from: the RTO of the slowest fault, the uptime of the http probe', () => {
    const c = ChaosResult.parse({
      experiment: 'failover',
      dryRun: false,
      windowStartMs: 0,
      windowEndMs: 10_000,
      steadyState: { before: 'met', after: 'met' },
      faults: [
        {
          id: '1.1',
          label: 'a',
          target: 't',
          injectedAtMs: 1000,
          events: [],
          rtoMs: 2000,
          recoveryProbe: 'api',
          recovery: '',
        },
        {
          id: '1.2',
          label: 'b',
          target: 't',
          injectedAtMs: 3000,
          events: [],
          rtoMs: 6000,
          recoveryProbe: 'writes',
          recovery: '',
        },
      ],
      probes: [
        probe('writes', 'db-write', [1, 1, 1, 0, 0, 0, 1, 1, 1, 1]),
        probe('api', 'http', [1, 1, 0, 0, 1, 1, 1, 1, 1, 1]),
      ],
      rollbacks: [],
    });
    expect(scenarioFigures(c)).toEqual({ rtoMs: 6000, rtoProbe: 'writes', uptime: 0.8, uptimeProbe: 'api' });
  });
});

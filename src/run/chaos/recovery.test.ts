import { describe, expect, it } from 'vitest';
import { FaultSpec, ProbeSpec } from '../../config/experiment.ts';
import type { Clock } from '../../core/clock.ts';
import type { RunningProbe } from '../../measure/probes.ts';
import type { Sample } from '../../measure/recovery.ts';
import { recoveryProbe, waitHealthy } from './recovery.ts';

const probe = (kind: 'http' | 'db-write' | 'db-read', name: string = kind, samples: Sample[] = []): RunningProbe => ({
  spec: ProbeSpec.parse(
    kind === 'db-write'
      ? { kind, name, table: 'gauntlet_ledger' }
      : kind === 'http'
        ? { kind, name, path: '/' }
        : { kind, name },
  ),
  samples,
  stop: async () => {},
});

describe('which probe times a fault’s recovery', () => {
  const http = probe('http');
  const write = probe('db-write');
  const read = probe('db-read');

  it('a database failover is timed by the writes, then the reads, then the HTTP probe', () => {
    const failover = FaultSpec.parse({ kind: 'db-failover', mode: 'kill-patroni' });
    expect(recoveryProbe(failover, [http, read, write])).toBe(write);
    expect(recoveryProbe(failover, [http, read])).toBe(read);
    expect(recoveryProbe(failover, [http])).toBe(http);
  });

  it('so is a database failover run by a Kubernetes operator', () => {
    const failover = FaultSpec.parse({ kind: 'kube-db-failover', operator: 'cnpg' });
    expect(recoveryProbe(failover, [http, read, write])).toBe(write);
  });

  it('any other fault by what users see first: HTTP, then writes, then reads', () => {
    const kill = FaultSpec.parse({ kind: 'process-kill', pidFile: '/run/api.pid' });
    expect(recoveryProbe(kill, [read, write, http])).toBe(http);
    expect(recoveryProbe(kill, [read, write])).toBe(write);
    expect(recoveryProbe(kill, [read])).toBe(read);
  });

  it('no probe: none', () => {
    expect(recoveryProbe(FaultSpec.parse({ kind: 'db-failover', mode: 'kill-patroni' }), [])).toBeUndefined();
  });
});

describe('waiting for every probe to be healthy', () => {
  /** A clock that moves `stepMs` each time it is read. */
  const ticking = (stepMs: number): Clock => {
    let t = 1000;
    return { startedAt: '', now: () => (t += stepMs), isoAt: () => '' };
  };
  const run = (pattern: string, fromMs: number) =>
    [...pattern].map((c, i): Sample => ({ t: fromMs + i * 10, ok: c === '.', latencyMs: 1 }));

  it('healthy once each probe’s last n samples since the wait began are all healthy', async () => {
    const clock = ticking(1);
    const a = probe('http', 'api', run('x...', 2000));
    const b = probe('db-read', 'db', run('....', 2000));
    expect(await waitHealthy([a, b], 3, 60_000, { clock })).toEqual({ ok: true, detail: '' });
  });

  it('samples from before the wait do not count, nor fewer than n', async () => {
    const clock = ticking(2000);
    const old = probe('http', 'api', run('......', 0)); // all before the wait began at 3000
    const short = probe('db-read', 'db', run('..', 10_000));
    const r = await waitHealthy([old, short], 3, 1000, { clock });
    expect(r).toEqual({ ok: false, detail: 'not 3 healthy samples in a row within 1.00 s: api, db' });
  });

  it('a failed sample among the last n keeps it waiting until the timeout, naming only the unhealthy probe', async () => {
    const clock = ticking(600);
    const bad = probe('http', 'api', run('...x..', 5000));
    const good = probe('db-read', 'db', run('...', 5000));
    expect(await waitHealthy([bad, good], 3, 1000, { clock })).toEqual({
      ok: false,
      detail: 'not 3 healthy samples in a row within 1.00 s: api',
    });
  });

  it('waits, and sees samples that arrive while it waits', async () => {
    const clock = ticking(1);
    const p = probe('http', 'api');
    setTimeout(() => p.samples.push(...run('...', 2000)), 60);
    expect((await waitHealthy([p], 3, 60_000, { clock })).ok).toBe(true);
  });

  it('a sample taken at the very instant the wait began counts', async () => {
    const clock = ticking(1); // the wait begins at 1 001
    const p = probe('http', 'api', run('...', 1001));
    expect((await waitHealthy([p], 3, 5, { clock })).ok).toBe(true);
  });

  it('at exactly the deadline it looks once more', async () => {
    // Reads: the start (1 000), then the deadline check at exactly 1 000 + timeout, then later.
    const reads = [1000, 2000, 3000];
    const p = probe('http', 'api');
    const clock: Clock = {
      startedAt: '',
      isoAt: () => '',
      now: () => {
        const t = reads.shift() ?? 9999;
        // Healthy samples arrive while the check at the deadline is made.
        if (t === 2000) p.samples.push(...run('...', 1500));
        return t;
      },
    };
    expect(await waitHealthy([p], 3, 1000, { clock })).toEqual({ ok: true, detail: '' });
  });
});

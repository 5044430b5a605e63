// Alertmanager watched during an experiment: polled every second, each alert with the first
// time it was seen active (the experiment's alert expectations are judged on this in slo/).
import type { Clock } from '../../core/clock.ts';
import type { ChaosResult } from '../../record/schema.ts';
import { activeAlerts } from '../../targets/prometheus.ts';

/** Polls Alertmanager every second: each alert with the first time it was seen active. */
export function watchAlerts(url: string, clock: Clock): { stop(): Promise<NonNullable<ChaosResult['alerts']>> } {
  const seen = new Map<string, NonNullable<ChaosResult['alerts']>['seen'][number]>();
  let polls = 0;
  let failedPolls = 0;
  let running: Promise<void> = Promise.resolve();
  const poll = async () => {
    polls++;
    try {
      for (const a of await activeAlerts(url)) {
        const key = JSON.stringify(Object.entries(a.labels).sort());
        if (!seen.has(key))
          seen.set(key, {
            name: a.name,
            labels: a.labels,
            firstSeenMs: Math.round(clock.now() * 100) / 100,
            startsAt: a.startsAt,
          });
      }
    } catch {
      failedPolls++;
    }
  };
  running = poll();
  const timer = setInterval(() => {
    running = running.then(poll);
  }, 1000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await poll();
      return { polls, failedPolls, seen: [...seen.values()] };
    },
  };
}

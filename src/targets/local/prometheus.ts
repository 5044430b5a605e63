// Debian's Prometheus, Alertmanager and Pushgateway on loopback in a temp dir, for the tests and
// anyone trying the Prometheus integration locally: Prometheus scrapes the given targets every
// second, evaluates the given alert rules every second and sends alerts to the Alertmanager.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startDaemon, stopPid, tempDir, waitForPort, readTail } from './process.ts';
import { sleep } from '../../core/sleep.ts';

export interface PromStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  pushgatewayUrl: string;
  stop(): Promise<void>;
}

export interface PromStackOptions {
  /** host:port targets scraped at /metrics every second (job "demo"). */
  scrape: string[];
  /** Prometheus alerting rules, YAML (the `rules:` list of one group). */
  rules?: string;
}

async function ready(url: string, timeoutMs: number, what: string, log: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs} ms: ${readTail(log)}`);
    await sleep(200);
  }
}

export async function startPromStack(opts: PromStackOptions): Promise<PromStack> {
  const root = tempDir('gauntlet-prom-');
  const [promPort, amPort, pgwPort] = [await freePort(), await freePort(), await freePort()];
  const pids: number[] = [];
  const stop = async () => {
    await Promise.all(pids.map((p) => stopPid(p, 'SIGTERM', 5000)));
  };
  try {
    writeFileSync(
      join(root, 'alertmanager.yml'),
      'route:\n  receiver: none\n  group_wait: 0s\nreceivers:\n  - name: none\n',
    );
    const amLog = join(root, 'alertmanager.log');
    pids.push(
      startDaemon(
        'prometheus-alertmanager',
        [
          `--config.file=${join(root, 'alertmanager.yml')}`,
          `--storage.path=${join(root, 'am')}`,
          `--web.listen-address=127.0.0.1:${amPort}`,
          '--cluster.listen-address=',
        ],
        { log: amLog, cwd: root },
      ).pid,
    );
    const pgwLog = join(root, 'pushgateway.log');
    pids.push(
      startDaemon('prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${pgwPort}`], { log: pgwLog, cwd: root })
        .pid,
    );
    writeFileSync(
      join(root, 'rules.yml'),
      `groups:\n  - name: gauntlet-test\n    interval: 1s\n    rules:\n${(opts.rules ?? '')
        .split('\n')
        .map((l) => (l ? `      ${l}` : l))
        .join('\n')}\n`,
    );
    writeFileSync(
      join(root, 'prometheus.yml'),
      `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [${JSON.stringify(join(root, 'rules.yml'))}]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:${amPort}"]
scrape_configs:
  - job_name: demo
    static_configs:
      - targets: ${JSON.stringify(opts.scrape)}
`,
    );
    if (!opts.rules) writeFileSync(join(root, 'rules.yml'), 'groups: []\n');
    const promLog = join(root, 'prometheus.log');
    pids.push(
      startDaemon(
        'prometheus',
        [
          `--config.file=${join(root, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(root, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          // Gauntlet's remote-write output writes here too, trends as native histograms when asked.
          '--web.enable-remote-write-receiver',
          '--enable-feature=native-histograms',
        ],
        { log: promLog, cwd: root },
      ).pid,
    );
    await Promise.all([
      waitForPort(promPort, 20_000, 'Prometheus', promLog).then(() =>
        ready(`http://127.0.0.1:${promPort}/-/ready`, 20_000, 'Prometheus', promLog),
      ),
      waitForPort(amPort, 20_000, 'Alertmanager', amLog).then(() =>
        ready(`http://127.0.0.1:${amPort}/-/ready`, 20_000, 'Alertmanager', amLog),
      ),
      waitForPort(pgwPort, 20_000, 'Pushgateway', pgwLog),
    ]);
    // Prometheus applies discovered targets after a few seconds: wait until each is scraped.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const t = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()) as {
        data: { activeTargets: { health: string }[] };
      };
      if (t.data.activeTargets.length === opts.scrape.length && t.data.activeTargets.every((x) => x.health === 'up'))
        break;
      if (Date.now() > deadline)
        throw new Error(
          `Prometheus did not scrape ${opts.scrape.join(', ')} within 30 s: ${JSON.stringify(t.data.activeTargets).slice(0, 300)}`,
        );
      await sleep(250);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    alertmanagerUrl: `http://127.0.0.1:${amPort}`,
    pushgatewayUrl: `http://127.0.0.1:${pgwPort}`,
    stop,
  };
}

// The demo API as several workers under Node's cluster module, the way it is deployed: the
// primary writes its pid file, forks the workers, and replaces any worker that dies — what the
// process-kill fault exercises. Configured through DEMO_API_CONFIG (JSON).
import cluster from 'node:cluster';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AggregatorRegistry, register } from 'prom-client';
import { startDemoApi, type DemoApiOptions } from './api.ts';

interface ClusterConfig extends DemoApiOptions {
  workers: number;
  pidFile: string;
  /** The primary serves every worker's metrics, summed, on this port (what Prometheus scrapes). */
  metricsPort: number;
}

const config = JSON.parse(process.env.DEMO_API_CONFIG ?? '{}') as ClusterConfig;

if (cluster.isPrimary) {
  writeFileSync(config.pidFile, `${process.pid}\n`);
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < config.workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.log(`worker ${worker.process.pid} died (${signal ?? code}); starting a replacement`);
    fork();
  });
  const stop = () => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const aggregate = new AggregatorRegistry();
  createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    aggregate.clusterMetrics().then(
      (body) => res.writeHead(200, { 'content-type': aggregate.contentType }).end(body),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  }).listen(config.metricsPort, '127.0.0.1');
} else {
  // Constructing one in a worker is what makes it answer the primary's requests for its metrics.
  new AggregatorRegistry();
  const api = await startDemoApi({ ...config, registry: register });
  process.on('SIGTERM', () => void api.close().then(() => process.exit(0)));
}

// The demo's nightly capacity question: how many requests/s can the API take with p95 under
// 50 ms and under 1% errors? `gauntlet capacity scenarios/capacity.ts --env demo`.
import { defineProfile } from '../src/load.ts';

export default defineProfile({
  name: 'capacity',
  // The scenario is what `gauntlet load` would run; `gauntlet capacity` runs the steps below.
  scenario: { executor: 'constant-arrival-rate', rate: 200, duration: '10s' },
  requests: [
    { name: 'health', path: '/health', weight: 9 },
    { name: 'graphql', method: 'POST', path: '/graphql', json: { query: '{ items { id name } }' }, weight: 1 },
  ],
  thresholds: {
    http_req_duration: ['p(95)<50'],
    http_req_failed: ['rate<0.01'],
  },
  capacity: {
    startRate: 200,
    maxRate: 20_000,
    growth: 2,
    warmup: '2s',
    stepDuration: '5s',
    maxDuration: '60s',
    resolution: 0.1,
  },
});

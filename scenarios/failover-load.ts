// The load that runs through the demo's DB failover: users opening product pages (each one a
// database read) and the health endpoint (no database). The product page fails while the
// cluster has no leader — that is what the failover timeline shows; the RTO and RPO are judged
// by the experiment. Only the path that never touches the database is held to a latency target.
import { defineProfile } from '../src/load.ts';

export default defineProfile({
  name: 'failover-load',
  scenario: { executor: 'constant-arrival-rate', rate: 20, duration: '20s', preAllocatedVUs: 10, maxVUs: 60 },
  requests: [
    { name: 'product', path: '/api/catalog/1', weight: 3 },
    { name: 'health', path: '/health', weight: 1 },
  ],
  thresholds: {
    'http_req_duration{name:health}': ['p(95)<50'],
  },
});

// The load that runs through the demo's DB failover: users opening product pages (each one a
// database read) and the health endpoint (no database). The product page fails while the
// cluster has no leader — that is what the failover timeline shows; the RTO and RPO are judged
// by the experiment. Only the path that never touches the database is held to a latency target
// and a failure rate.
import { defineProfile } from '../src/load.ts';

export default defineProfile({
  name: 'failover-load',
  scenario: { executor: 'constant-arrival-rate', rate: 20, duration: '20s', preAllocatedVUs: 10, maxVUs: 60 },
  requests: [
    { name: 'product', path: '/api/catalog/1', weight: 3 },
    { name: 'health', path: '/health', weight: 1 },
  ],
  // The product page's failures during the failover are the experiment's to judge (RTO, RPO), so
  // the failure rate is held on the path that never touches the database — written, not left to
  // the default (every request below 1 %), which the failover would fail by design.
  thresholds: {
    'http_req_duration{name:health}': ['p(95)<50'],
    'http_req_failed{name:health}': ['rate<0.01'],
  },
});

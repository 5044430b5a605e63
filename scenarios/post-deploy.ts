// The demo's post-deploy load: a short open-model run on the health endpoint and the
// authenticated items API (kept under the demo's 100 requests/min limit), checked against p95
// targets. `gauntlet gate` runs it after the smoke suites.
import { defineProfile } from '../src/load.ts';

export default defineProfile({
  name: 'post-deploy',
  scenario: { executor: 'constant-arrival-rate', rate: 50, duration: '10s', preAllocatedVUs: 10, maxVUs: 50 },
  setup: [
    {
      name: 'login',
      method: 'POST',
      path: '/login',
      json: { username: 'demo', password: '${env:DEMO_PASSWORD}' },
      capture: { token: { jsonPath: '$.token' } },
    },
  ],
  requests: [
    { name: 'health', path: '/health', weight: 49 },
    { name: 'items', path: '/api/items', headers: { authorization: 'Bearer {{token}}' }, weight: 1 },
  ],
  thresholds: {
    'http_req_duration{name:health}': ['p(95)<50', 'p(99)<200'],
    'http_req_duration{name:items}': ['p(95)<100'],
    http_req_failed: ['rate<0.01'],
    dropped_iterations: ['count<1'],
  },
});

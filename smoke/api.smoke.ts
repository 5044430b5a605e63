// The demo API's post-deploy smoke suite: health, login (captures the token), a protected
// endpoint using it, GraphQL, and the WebSocket echo.
import { defineSuite, http, graphql, ws, z } from '../src/index.ts';

export default defineSuite({
  name: 'api',
  checks: [
    http('health', {
      path: '/health',
      expect: { status: 200, json: z.object({ status: z.literal('ok'), version: z.string() }), maxDuration: '500ms' },
      retry: { for: '30s' },
    }),
    http('login', {
      method: 'POST',
      path: '/login',
      json: { username: 'demo', password: '${env:DEMO_PASSWORD}' },
      expect: { status: 200, body: [{ path: '$.token', exists: true }] },
      capture: { token: { jsonPath: '$.token' } },
    }),
    http('items', {
      path: '/api/items',
      headers: { authorization: 'Bearer {{token}}' },
      expect: {
        status: 200,
        headers: { 'content-type': { matches: '^application/json' } },
        json: z.object({ items: z.array(z.object({ id: z.number(), name: z.string() })).min(1), count: z.number() }),
        maxDuration: '500ms',
      },
    }),
    http('items without a token are refused', { path: '/api/items', expect: { status: 401 } }),
    graphql('graphql items', {
      query: '{ items { id name } }',
      expect: { body: [{ path: '$.data.items[0].name', equals: 'Anvil' }] },
    }),
    ws('websocket echo', { path: '/ws', send: 'ping-{{token}}', expect: { matches: '^ping-', within: '2s' } }),
  ],
});

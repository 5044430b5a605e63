// What Patroni's REST API answers, as zod models: /cluster (its members, their roles and states)
// and a member's own status. Parsed with parseAnswer (answer.ts), never cast: an answer of another
// shape is one clear line naming the URL and the field, not a wrong failover.
import { z } from 'zod';

export const PatroniMemberInfo = z.looseObject({
  name: z.string(),
  role: z.string().describe('leader, replica, sync_standby, standby_leader (master/primary in older versions)'),
  state: z.string().describe('running, streaming, starting, stopped, …'),
  host: z.string(),
  port: z.number(),
  api_url: z.string(),
  lag: z.union([z.number(), z.string()]).optional(),
  timeline: z.number().optional(),
});
export type PatroniMemberInfo = z.infer<typeof PatroniMemberInfo>;

export const PatroniClusterBody = z.looseObject({ members: z.array(PatroniMemberInfo) });

/** A member's own GET / (or /patroni): its state and Patroni's version. */
export const PatroniStatusBody = z.looseObject({
  state: z.string().optional(),
  patroni: z.looseObject({ version: z.string().optional() }).optional(),
});

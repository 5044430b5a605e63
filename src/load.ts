// Library surface for load profiles: `import { defineProfile } from 'gauntlet/load'`.
export { defineProfile } from './config/profile.ts';
export type { Profile, ProfileInput } from './config/profile.ts';

// The page users open: Playwright specs run in Debian's Chromium against the frontend.
import { defineSuite, playwright } from '../src/index.ts';

export default defineSuite({
  name: 'frontend',
  checks: [playwright('browser', { specs: ['*.spec.ts'], timeout: '15s' })],
});

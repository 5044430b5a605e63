import type {
  TestType,
  PlaywrightTestArgs,
  PlaywrightTestOptions,
  PlaywrightWorkerArgs,
  PlaywrightWorkerOptions,
} from '@playwright/test';

export declare const test: TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & { failOnPageProblems: void },
  PlaywrightWorkerArgs & PlaywrightWorkerOptions
>;
export { expect } from '@playwright/test';

import type {
  TestType,
  PlaywrightTestArgs,
  PlaywrightTestOptions,
  PlaywrightWorkerArgs,
  PlaywrightWorkerOptions,
} from '@playwright/test';

export declare const test: TestType<
  PlaywrightTestArgs & PlaywrightTestOptions & { failOnPageProblems: undefined },
  PlaywrightWorkerArgs & PlaywrightWorkerOptions
>;
export { expect } from '@playwright/test';

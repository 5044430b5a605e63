// The catalog page renders the items the API returns. Gauntlet's `test` also fails on any
// console error, page error, failed request or failing API call.
import { test, expect } from '../src/playwright.mjs';

test('the catalog page lists the items', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('#items li')).toHaveCount(3);
  await expect(page.locator('#items')).toContainText('Anvil');
  await expect(page.locator('#status')).toHaveText('3 items');
});

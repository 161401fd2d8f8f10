import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export { launchChromium } from '../../scripts/chromium.js';

/** Where browser tests save their screenshots (ignored by git, kept by CI as artifacts). */
export const SCREENSHOT_DIR = join(process.cwd(), 'test-artifacts', 'status-page');

/** Saves a full-page screenshot as `<name>.png` in SCREENSHOT_DIR and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collects what a page logs as an error (console errors and uncaught exceptions), to assert there are none. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, used when installed; otherwise the headless build shipped in `@sparticuz/chromium`. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const UNWANTED_ARGS = new Set(['--single-process', '--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials']);

/** Where browser tests save their screenshots (ignored by git, kept by CI as artifacts). */
export const SCREENSHOT_DIR = join(process.cwd(), 'test-artifacts', 'status-page');

/** A headless Chromium driven by playwright-core: the system's if there is one, else the npm-shipped one. */
export async function launchChromium(): Promise<Browser> {
  const system = SYSTEM_CHROMIUM.find((path) => existsSync(path));
  if (system) return chromium.launch({ executablePath: system, headless: true, args: ['--no-sandbox'] });
  const shipped = (await import('@sparticuz/chromium')).default;
  // Its arguments suit a serverless function; a test wants a normal browser: several processes (so a
  // context can close alone) and the web's security rules on (so the page is tested as users get it).
  const args = shipped.args.filter((arg) => !UNWANTED_ARGS.has(arg));
  // It unpacks its binary into the temporary directory on first use (about a second).
  return chromium.launch({ executablePath: await shipped.executablePath(), args, headless: true });
}

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

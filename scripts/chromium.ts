import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, used when installed; otherwise the headless build shipped in `@sparticuz/chromium`. */
const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

// The npm build's arguments suit a serverless function; tests, benchmarks and screenshots want a normal
// browser: several processes (so a context can close alone) and the web's security rules on.
const UNWANTED_ARGS = new Set(['--single-process', '--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials']);

/**
 * A headless Chromium driven by playwright-core (a development dependency, like the browser): the
 * system's if there is one, else the one shipped in `@sparticuz/chromium`, which unpacks its binary
 * into the temporary directory on first use (about a second).
 */
export async function launchChromium(): Promise<Browser> {
  const system = SYSTEM_CHROMIUM.find((path) => existsSync(path));
  if (system) return chromium.launch({ executablePath: system, headless: true, args: ['--no-sandbox'] });
  const shipped = (await import('@sparticuz/chromium')).default;
  const args = shipped.args.filter((arg) => !UNWANTED_ARGS.has(arg));
  return chromium.launch({ executablePath: await shipped.executablePath(), args, headless: true });
}

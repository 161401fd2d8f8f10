import { launchChromium } from '../chromium.js';

// `node dist/scripts/demo/screenshot.js URL CREDENTIAL OUT.png [WIDTH]`: signs in to a running status page
// and saves a full-page screenshot of URL (how the picture in the docs is made, from `npm start`).
const [url, credential, out, width = '1100'] = process.argv.slice(2);
if (!url || !credential || !out) {
  process.stderr.write('usage: screenshot.js URL CREDENTIAL OUT.png [WIDTH]\n');
  process.exit(2);
}
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: 800 } });
  await page.goto(url);
  await page.getByLabel('Operator credential').fill(credential);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#live');
  await page.screenshot({ path: out, fullPage: true });
  process.stdout.write(`${out}\n`);
} finally {
  await browser.close();
}

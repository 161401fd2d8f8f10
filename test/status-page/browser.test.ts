import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { startSimulator } from '../../agent/simulator/simulator.js';
import { computeCohortOrder } from '../../controller/reconcile/cohorts.js';
import { startController, type RunningController } from '../../controller/runtime/controller.js';
import { post } from '../api/api-harness.js';
import { baseFleet, E2E_APPLIANCES, E2E_ROLLOUT, rolloutFile } from '../e2e/e2e-fleet.js';
import { consoleErrors, launchChromium, screenshot } from '../helpers/browser.js';
import { writeFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';

// One browser and one controller for the whole file: a 12-appliance fleet on SQLite, read from a
// watched directory, with simulated appliances. One appliance is checked in by hand, so the test
// decides when its status changes.
const HELD = computeCohortOrder(E2E_ROLLOUT, E2E_APPLIANCES)[0] as string;

let tmp: ReturnType<typeof tempDir>;
let controller: RunningController;
let stopped = false;
let simulator: ReturnType<typeof startSimulator>;
let browser: Browser;
let context: BrowserContext;
let operator: string;
let heldToken: string;
const pages: { page: Page; errors: string[] }[] = [];

function checkIn(imageVersion: string, update: Record<string, unknown> | null) {
  return post(`${controller.url}/v1/checkin`, { agentVersion: imageVersion, imageVersion, update, retention: null }, heldToken);
}

beforeAll(async () => {
  tmp = tempDir('muster-status-page-');
  const fleet = join(tmp.dir, 'fleet');
  writeFiles(fleet, { ...baseFleet(), ...rolloutFile() });
  controller = await startController({
    repo: fleet,
    db: join(tmp.dir, 'muster.db'),
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    intervalMs: 300,
    checkinDebounceMs: 100,
    checkinMinGapMs: 100,
  });
  await eventually(() => controller.isLeader() && controller.plan()?.rollouts.length, { what: 'a first plan with the rollout' });
  operator = (await controller.store.issueOperatorToken('tests')) as string;
  const identities = await controller.store.issueTokens(E2E_APPLIANCES.filter((id) => id !== HELD));
  heldToken = (await controller.store.issueToken(HELD)) as string;
  expect((await checkIn('1.0.49', null)).status).toBe(200);
  simulator = startSimulator({
    server: controller.url,
    identities,
    profile: { default: 'healthy', rules: [], initialVersion: { agentVersion: '1.0.49', imageVersion: '1.0.49' } },
    clock: systemClock,
    speed: 40,
    startSpreadMs: 500,
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (!stopped) {
    await simulator?.stop();
    await controller?.stop();
  }
  tmp?.remove();
});

/** A page in the signed-in context whose console errors are checked after each test. */
async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  pages.push({ page, errors: consoleErrors(page) });
  await page.goto(`${controller.url}${path}`);
  return page;
}

afterEach(async () => {
  for (const { page, errors } of pages.splice(0)) {
    expect(errors, `console errors on ${page.url()}`).toEqual([]);
    await page.close();
  }
});

describe('status page in a browser', () => {
  it('shows the sign-in form to a stranger, refuses an appliance token, and signs an operator in by keyboard', async () => {
    const stranger = await browser.newContext();
    const page = await stranger.newPage();
    const errors = consoleErrors(page);
    await page.goto(`${controller.url}/rollouts/${E2E_ROLLOUT}`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await expect.poll(() => page.getByLabel('Operator credential').isVisible()).toBe(true);
    expect(await page.content()).not.toContain(HELD);
    await page.getByLabel('Operator credential').fill(heldToken);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#signin-problem');
    expect(await page.textContent('#signin-problem')).toMatch(/not valid/);
    await screenshot(page, 'signin-refused');
    await page.getByLabel('Operator credential').fill(operator);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/rollouts/${E2E_ROLLOUT}`);
    expect(await page.textContent('h1')).toBe(`Rollout ${E2E_ROLLOUT}`);
    const cookies = await stranger.cookies();
    expect(cookies.find((c) => c.name === 'muster_operator')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    // What the signed-in context of the other tests carries.
    await context.addCookies(cookies);
    expect(errors).toEqual([]);
    await stranger.close();
  });

  it('shows every view: fleet, rollout, appliance, appliances, findings, source and proofs', async () => {
    await eventually(() => controller.plan()?.rollouts[0]?.counts.succeeded, { what: 'a first appliance to succeed', timeoutMs: 30_000 });
    const fleet = await open('/');
    expect(await fleet.textContent('h1')).toBe('Fleet');
    expect(await fleet.locator(`[data-rollout="${E2E_ROLLOUT}"]`).textContent()).toMatch(/Stage 1\/3 current/);
    expect(await fleet.locator('svg.bar').first().getAttribute('aria-label')).toMatch(/Stage 1\/3/);
    await screenshot(fleet, 'fleet');
    // By keyboard: the first Tab reaches "Skip to content", the next ones the sections, each visibly focused.
    await fleet.keyboard.press('Tab');
    expect(await fleet.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await fleet.keyboard.press('Tab');
    await fleet.keyboard.press('Tab');
    expect(await fleet.evaluate('document.activeElement.textContent')).toBe('Fleet');
    expect(await fleet.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');

    const rollout = await open(`/rollouts/${E2E_ROLLOUT}`);
    expect(await rollout.textContent('main')).toMatch(/Stage 1: 25% = 3 of 12/);
    // The controller's passes forecast each rollout: a line per stage from the current one.
    expect(await rollout.textContent('main')).toMatch(/Forecast[\s\S]*stage 1\/\d+: start(s|ed) \d{4}-/);
    expect(await rollout.locator('main table').first().textContent()).toBeTruthy();
    await rollout.getByRole('link', { name: HELD }).first().click();
    await rollout.waitForURL(`**/appliances/${HELD}`);
    expect(await rollout.textContent('main')).toMatch(/Check-ins/);
    await screenshot(rollout, 'appliance');

    const findings = await open('/findings?severity=warning');
    expect(await findings.locator('select[name="severity"]').inputValue()).toBe('warning');
    await findings.getByLabel('Severity').selectOption('');
    await findings.getByRole('button', { name: 'Filter' }).click();
    await findings.waitForURL(/\/findings\?/);
    await screenshot(findings, 'findings');

    for (const [path, heading] of [
      ['/appliances?status=succeeded', /Appliances/],
      ['/source', /Source/],
      ['/proofs', /Proofs/],
    ] as const) {
      const page = await open(path);
      expect(await page.textContent('h1'), path).toMatch(heading);
      await screenshot(page, path.slice(1).replace(/\W+/g, '-'));
    }
  }, 60_000);

  it('moves a count when an appliance checks in, without a reload', async () => {
    const page = await open(`/rollouts/${E2E_ROLLOUT}`);
    await page.evaluate("window.marker = 'same page'");
    const counts = page.locator('#live ul.counts');
    const succeededOf = async () => Number(/(\d+) succeeded/.exec((await counts.textContent()) ?? '')?.[1]);
    await eventually(async () => (await succeededOf()) === 2, { what: 'the two simulated stage-1 appliances to succeed', timeoutMs: 30_000 });
    expect((await checkIn('1.0.51', { release: 'v1.0.51', phase: 'succeeded', since: new Date().toISOString(), attempt: 1, error: null })).status).toBe(200);
    // Held back, this appliance kept stage 1 from completing: its success moves the count, and the next
    // stage's simulated appliances may move it further before the page's next refresh.
    await eventually(async () => (await succeededOf()) >= 3, { what: 'the count to move after the check-in', timeoutMs: 15_000 });
    expect(await page.evaluate('window.marker')).toBe('same page');
  }, 60_000);

  it('shows a rejected revision with the position of each error, and the revision still acted on', async () => {
    const fleet = join(tmp.dir, 'fleet');
    writeFileSync(join(fleet, 'rollouts', 'broken.yaml'), 'apiVersion: muster.dev/v1alpha1\nkind: Rollout\nmetadata:\n  name: broken\nspec:\n  release: v1.0.51\n  stages: 7\n');
    const page = await open('/source');
    await page.waitForSelector('#rejected', { timeout: 15_000 });
    const position = await page.locator('code.position').first().textContent();
    expect(position).toMatch(/^rollouts\/broken\.yaml:7:\d+$/);
    await screenshot(page, 'source-rejected');
    const fleetPage = await open('/');
    expect(await fleetPage.textContent('#live')).toMatch(/latest revision was rejected/);
    rmSync(join(fleet, 'rollouts', 'broken.yaml'));
  }, 30_000);

  it('reads on a phone: one column, nothing wider than the screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await phone.addCookies(await context.cookies());
    const page = await phone.newPage();
    const errors = consoleErrors(page);
    for (const path of ['/', `/rollouts/${E2E_ROLLOUT}`]) {
      await page.goto(`${controller.url}${path}`);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow, path).toBeLessThanOrEqual(0);
      await screenshot(page, `phone${path.replace(/\W+/g, '-')}`);
    }
    expect(errors).toEqual([]);
    await phone.close();
  });

  it('says the controller is unreachable instead of showing stale figures as current', async () => {
    const page = await context.newPage();
    await page.goto(`${controller.url}/`);
    expect(await page.locator('#connection').isHidden()).toBe(true);
    await simulator.stop();
    await controller.stop();
    stopped = true;
    // While it closes the controller answers 503 (also reported); once it is gone, refreshes cannot connect.
    await page.locator('#connection', { hasText: 'Controller unreachable since' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#connection').isVisible()).toBe(true);
    expect(await page.textContent('#connection')).toMatch(/Controller unreachable since .* may be out of date/);
    expect(await page.evaluate("document.body.classList.contains('stale')")).toBe(true);
    await screenshot(page, 'unreachable');
    await page.close();
  }, 30_000);
});

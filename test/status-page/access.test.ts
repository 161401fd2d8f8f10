import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigratedStore } from '../../controller/store/open-store.js';
import type { Store } from '../../controller/store/store.js';
import { clockReading } from '../../lib/clock.js';
import { checkinBody, post, startTestApi, type TestApi } from '../api/api-harness.js';
import { desiredFrom, smallFleetFiles } from '../helpers/fleet.js';
import { tempDir } from '../helpers/tmp.js';

const NOW = new Date('2026-03-02T10:00:00Z');
/** Every route that shows fleet data. */
const PAGES = ['/', '/rollouts/v1.0.51', '/appliances', '/appliances?status=pending', '/appliances/lab-01', '/findings?severity=warning', '/source', '/proofs'];

describe('status page access', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let api: TestApi;
  let operator: string;
  let appliance: string;

  beforeEach(async () => {
    tmp = tempDir();
    store = await openMigratedStore(join(tmp.dir, 'muster.db'));
    appliance = (await store.issueToken('lab-01')) as string;
    operator = (await store.issueOperatorToken('oncall')) as string;
    api = await startTestApi(store, desiredFrom(smallFleetFiles()), NOW);
    await post(`${api.url}/v1/checkin`, checkinBody(), appliance);
  });
  afterEach(async () => {
    await api.close();
    await store.close();
    tmp.remove();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${api.url}${path}`, { headers, redirect: 'manual' });

  it('refuses every page without a valid operator credential: a browser to the sign-in form, anything else 401, never data', async () => {
    const rotated = operator;
    await store.issueOperatorToken('oncall', { rotate: true });
    const refusals: { name: string; given: Record<string, string>; problem: string }[] = [
      { name: 'no credential', given: {}, problem: '' },
      { name: 'an appliance token as bearer', given: { authorization: `Bearer ${appliance}` }, problem: '&problem=invalid' },
      { name: 'an appliance token as cookie', given: { cookie: `muster_operator=${appliance}` }, problem: '&problem=invalid' },
      { name: 'a rotated operator credential', given: { authorization: `Bearer ${rotated}` }, problem: '&problem=invalid' },
      { name: 'an unknown credential', given: { cookie: `muster_operator=mso_${'x'.repeat(43)}` }, problem: '&problem=invalid' },
    ];
    for (const c of refusals) {
      for (const path of PAGES) {
        const browser = await get(path, { ...c.given, accept: 'text/html,application/xhtml+xml' });
        expect(browser.status, `${c.name} on ${path} in a browser`).toBe(303);
        expect(browser.headers.get('location'), `${c.name} on ${path}`).toBe(`/signin?next=${encodeURIComponent(path)}${c.problem}`);
        expect(await browser.text(), `${c.name} on ${path}`).not.toContain('clinic-a-01');
        const script = await get(path, c.given);
        expect(script.status, `${c.name} on ${path} from a script`).toBe(401);
        expect(await script.json()).toMatchObject({ error: 'Unauthorized' });
      }
      const api401 = await get('/v1/status', { ...c.given, accept: 'text/html' });
      expect(api401.status, `${c.name} on /v1/status`).toBe(401);
      expect(await api401.json()).toMatchObject({ error: 'Unauthorized' });
      const refresh = await get('/', { ...c.given, accept: 'text/html', 'hx-request': 'true' });
      expect(refresh.status, `${c.name} on a live refresh`).toBe(401);
      expect(refresh.headers.get('content-type')).toMatch(/application\/json/);
    }
    const form = await get('/signin?next=%2Ffindings&problem=invalid');
    const body = await form.text();
    expect(form.status).toBe(200);
    expect(body).toContain('name="credential"');
    expect(body).toContain('value="/findings"');
    expect(body).toMatch(/not valid/);
  });

  it('opens every page and /v1/status with the operator credential as a bearer token', async () => {
    for (const path of [...PAGES, '/v1/status']) {
      const res = await get(path, { authorization: `Bearer ${operator}` });
      expect(res.status, path).toBe(200);
    }
    const page = await (await get('/', { authorization: `Bearer ${operator}` })).text();
    expect(page).toContain('id="live"');
    expect(page).toContain('v1.0.51');
  });

  it('signs in with the form: an HttpOnly, SameSite cookie that opens the pages, back to the page asked for', async () => {
    const form = (credential: string, next: string) =>
      fetch(`${api.url}/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ credential, next }).toString(),
        redirect: 'manual',
      });
    const wrong = await form(appliance, '/findings');
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toBe('/signin?next=%2Ffindings&problem=invalid');
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const right = await form(operator, '/rollouts/v1.0.51');
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/rollouts/v1.0.51');
    const cookie = right.headers.get('set-cookie') as string;
    expect(cookie).toMatch(/^muster_operator=mso_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    const res = await get('/rollouts/v1.0.51', { cookie: cookie.split(';')[0] as string });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/id="live"[\s\S]*Progressing/);

    const offsite = await form(operator, '//evil.example/');
    expect(offsite.headers.get('location')).toBe('/');
    const out = await fetch(`${api.url}/signout`, { method: 'POST', redirect: 'manual' });
    expect(out.headers.get('set-cookie')).toMatch(/muster_operator=;.*Max-Age=0/);
  });

  it('serves its assets to anyone, with a policy that allows only its own scripts and styles', async () => {
    for (const name of ['htmx.min.js', 'page.js', 'page.css']) expect((await get(`/assets/${name}`)).status, name).toBe(200);
    const page = await get('/', { authorization: `Bearer ${operator}` });
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect((await get('/assets/nope.js')).status).toBe(404);
  });

  it('filters findings by type, severity and subject', async () => {
    // The harness serves a plan without storing it; the findings page reads the stored findings.
    expect((await store.applyPlan(api.plan, { revision: api.plan.revision, expectedVersion: await store.stateVersion() })).applied).toBe(true);
    const auth = { authorization: `Bearer ${operator}` };
    const rows = async (query: string) => {
      const body = await (await get(`/findings${query}`, auth)).text();
      return [...body.matchAll(/<tr><td class="sev-(\w+)">\w+<\/td><td>(\w+)<\/td><td>.*?>([\w-]+)<\/a>/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`).sort();
    };
    // The plan was made before lab-01's first check-in: nobody had checked in yet.
    const never = ['info NeverCheckedIn clinic-a-01', 'info NeverCheckedIn clinic-b-01', 'info NeverCheckedIn lab-01'];
    const offline = ['warning AssignsOfflineAppliance clinic-a-01', 'warning AssignsOfflineAppliance lab-01'];
    const cases = [
      { name: 'everything open', given: '', want: [...never, ...offline] },
      { name: 'by type', given: '?type=NeverCheckedIn', want: never },
      { name: 'by severity', given: '?severity=warning', want: offline },
      { name: 'by subject', given: '?subject=clinic-a', want: ['info NeverCheckedIn clinic-a-01', 'warning AssignsOfflineAppliance clinic-a-01'] },
      { name: 'none of that severity', given: '?severity=error', want: [] },
      { name: 'all three', given: '?type=AssignsOfflineAppliance&severity=warning&subject=lab-01', want: ['warning AssignsOfflineAppliance lab-01'] },
    ];
    for (const c of cases) expect(await rows(c.given), c.name).toEqual(c.want);
  });

  it('says when the plan behind the figures is old', async () => {
    const auth = { authorization: `Bearer ${operator}` };
    expect(await (await get('/', auth)).text()).not.toMatch(/has not reconciled since/);
    const later = await startTestApi(store, desiredFrom(smallFleetFiles()), NOW, { clock: clockReading(() => NOW.getTime() + 10 * 60_000) });
    try {
      const page = await (await fetch(`${later.url}/`, { headers: auth })).text();
      expect(page).toMatch(/computed <time datetime="2026-03-02T10:00:00.000Z">.*\(10 min ago\)<\/span>: the controller has not reconciled since/);
    } finally {
      await later.close();
    }
  });

  it('answers a live refresh with the live region alone, and a missing rollout or appliance with 404', async () => {
    const auth = { authorization: `Bearer ${operator}` };
    const fragment = await (await get('/', { ...auth, 'hx-request': 'true' })).text();
    expect(fragment.startsWith('<div id="live"')).toBe(true);
    expect((await get('/rollouts/nope', auth)).status).toBe(404);
    expect((await get('/appliances/nope', auth)).status).toBe(404);
  });
});

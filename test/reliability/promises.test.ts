import { createHmac } from 'node:crypto';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpFetch } from '../../agent/protocol/http-fetch.js';
import { checkIn } from '../../agent/protocol/checkin-client.js';
import { checkinBody, post } from '../api/api-harness.js';
import { releaseYaml, smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { openMigratedStore } from '../../controller/store/open-store.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { createGitFixture } from '../sources/git-repos.js';
import { controllerFor, metricValue, runCleanups, scrape, selfSignedCertificate, type Cleanups } from './harness.js';

// Promises the controller's documentation makes, each checked end to end with real parts.
const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

async function fleetRemote() {
  const git = await createGitFixture();
  cleanups.push(() => git.cleanup());
  const first = await git.commit(smallFleetFiles(), 'the fleet');
  return { git, first };
}

/** A fleet remote whose first revision a controller applied and saved in its store, then stopped. */
async function appliedThenStopped() {
  const { git, first } = await fleetRemote();
  const db = join(git.root, 'muster.db');
  const before = await controllerFor(cleanups, git.url, db);
  await eventually(async () => (await before.store.loadDesiredState())?.revision === first, { what: 'the revision saved in the store' });
  await before.stop();
  return { git, first, db };
}

const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('the git webhook', () => {
  it('makes the controller fetch a new commit and act on it; forged ones change nothing, a replay only fetches again', async () => {
    const { git, first } = await fleetRemote();
    const db = tempDir('muster-rel-db-');
    cleanups.push(db.remove);
    const controller = await controllerFor(cleanups, git.url, join(db.dir, 'muster.db'), { webhookSecret: 'hook-secret' });
    await eventually(() => controller.source.current()?.revision === first, { what: 'the first revision' });
    const second = await git.commit({ 'releases/v1.0.52.yaml': releaseYaml('v1.0.52', '1.0.52') }, 'declare v1.0.52');

    const body = JSON.stringify({ ref: 'refs/heads/main', after: second });
    const forged = await post(`${controller.url}/v1/hooks/git`, body, undefined, { 'x-hub-signature-256': sign('guess', body) });
    expect(forged.status).toBe(401);
    expect(controller.source.current()?.revision).toBe(first);

    const signed = await post(`${controller.url}/v1/hooks/git`, body, undefined, { 'x-hub-signature-256': sign('hook-secret', body) });
    expect(signed.status).toBe(202);
    await eventually(() => controller.source.current()?.revision === second, { what: 'the pushed revision', timeoutMs: 20_000 });
    const pass = await controller.reconcileNow();
    expect(pass.kind === 'planned' && pass.plan.revision).toBe(second);

    const replay = await post(`${controller.url}/v1/hooks/git`, body, undefined, { 'x-hub-signature-256': sign('hook-secret', body) });
    expect(replay.status).toBe(202);
    expect(controller.source.current()?.revision).toBe(second);
  });
});

describe("the controller's own TLS", () => {
  it('serves check-ins over HTTPS to an agent trusting its certificate with --ca, and to no one else', async () => {
    const repo = tempDir('muster-rel-repo-');
    cleanups.push(repo.remove);
    writeFiles(repo.dir, smallFleetFiles());
    const tls = selfSignedCertificate(cleanups);
    const db = tempDir('muster-rel-db-');
    cleanups.push(db.remove);
    const controller = await controllerFor(cleanups, repo.dir, join(db.dir, 'muster.db'), { tls });
    expect(controller.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // Until its first plan the controller answers check-ins 503 with Retry-After (see checkin-route.ts).
    await controller.reconcileNow();
    const token = (await controller.store.issueToken('lab-01')) as string;
    const call = (fetchFn: ReturnType<typeof createHttpFetch>) =>
      checkIn({ server: controller.url, token, report: checkinBody() as never, fetch: fetchFn.fetch, now: Date.now() });

    const trusting = createHttpFetch({ ca: tls.cert });
    const untrusting = createHttpFetch();
    cleanups.push(() => trusting.close(), () => untrusting.close());
    expect((await call(trusting)).kind).toBe('ok');
    const refused = await call(untrusting);
    expect(refused).toMatchObject({ kind: 'unreachable' });
    expect(await controller.store.loadObserved(new Date())).toMatchObject({ state: { appliances: expect.arrayContaining([expect.objectContaining({ id: 'lab-01' })]) } });
  });
});

describe('a restart while the git remote is unreachable', () => {
  it('acts on the last applied revision from the store, counts the fetch errors, and is ready', async () => {
    const { git, first, db } = await appliedThenStopped();

    renameSync(git.remoteDir, `${git.remoteDir}.gone`);
    const after = await controllerFor(cleanups, git.url, db);
    const metrics = await eventually(async () => {
      const text = await scrape(after.url);
      return metricValue(text, 'muster_source_errors_total', 'kind="fetch"') >= 1 ? text : null;
    }, { what: 'a fetch error counted' });
    expect(metricValue(metrics, 'muster_leader')).toBe(1);
    const pass = await after.reconcileNow();
    expect(pass).toMatchObject({ kind: 'planned', plan: { revision: first } });
    const ready = await fetch(`${after.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ revision: first });
  });
});

describe('a restart onto a revision that does not load', () => {
  it('acts on the last applied revision from the store and reports the rejected one', async () => {
    const { git, first, db } = await appliedThenStopped();

    const broken = await git.commit({ 'releases/v1.0.52.yaml': 'kind: Release\nspec: [unclosed' }, 'broken YAML');
    const after = await controllerFor(cleanups, git.url, db);
    expect(after.source.current()).toBeNull();
    expect(after.source.status().lastAttemptedRevision).toBe(broken);
    expect(await after.reconcileNow()).toMatchObject({ kind: 'planned', plan: { revision: first } });
    const ready = await fetch(`${after.url}/readyz`);
    expect(await ready.json()).toMatchObject({ revision: first });
  });
});

describe('a restart with the source reachable', () => {
  it('acts on the source and never rebuilds the saved desired state', async () => {
    const { git, first, db } = await appliedThenStopped();

    const store = await openMigratedStore(db);
    cleanups.push(() => store.close());
    let savedReads = 0;
    const counting = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'loadDesiredState') savedReads += 1;
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const after = await controllerFor(cleanups, git.url, db, { store: counting });
    expect(await after.reconcileNow()).toMatchObject({ kind: 'planned', plan: { revision: first } });
    expect(savedReads).toBe(0);
  });
});

describe('metrics', () => {
  it('count applied actions by type only when a pass applies them, and rejected revisions as invalid source errors', async () => {
    const { git, first } = await fleetRemote();
    const controller = await controllerFor(cleanups, git.url, join(git.root, 'muster.db'));
    await eventually(() => controller.source.current()?.revision === first, { what: 'the first revision' });
    await controller.reconcileNow();
    const applied = await scrape(controller.url);
    expect(metricValue(applied, 'muster_actions_applied_total', 'type="AssignRelease"')).toBe(2);
    expect(metricValue(applied, 'muster_actions_applied_total', 'type="SetPhase"')).toBe(1);
    expect(metricValue(applied, 'muster_source_errors_total', 'kind="invalid"')).toBe(0);
    await controller.reconcileNow();
    expect(metricValue(await scrape(controller.url), 'muster_actions_applied_total', 'type="AssignRelease"')).toBe(2);

    await git.commit({ 'releases/v1.0.52.yaml': 'kind: Release\nspec: [unclosed' }, 'broken YAML');
    controller.source.source.trigger();
    await eventually(async () => metricValue(await scrape(controller.url), 'muster_source_errors_total', 'kind="invalid"') === 1, { what: 'the rejection counted' });
    expect(controller.source.current()?.revision).toBe(first);
    expect(await controller.reconcileNow()).toMatchObject({ kind: 'planned', plan: { revision: first } });
  });
});

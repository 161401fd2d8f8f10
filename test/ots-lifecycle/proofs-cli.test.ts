import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { upgradeProofsNow } from '../../controller/cli/commands/proofs.js';
import { PolicyCalendars } from '../../controller/ots/lifecycle/policy-calendars.js';
import { submitEvidence } from '../../controller/ots/lifecycle/submit-evidence.js';
import { openMigratedStore } from '../../controller/store/open-store.js';
import type { CalendarProofState, ProofStatus, Store } from '../../controller/store/store.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { tempDir } from '../helpers/tmp.js';
import { bitcoinContinuation, startCalendarServer } from '../ots/calendar-server.js';
import { EXPECTED, readFixture } from '../ots/fixtures.js';
import { ALICE, STORES, T0, desiredWith, expectedCommitment, otsPolicyFile, startLifecycle, type Lifecycle } from './lifecycle-harness.js';
import { clockReading } from '../../lib/clock.js';

// Runs the built CLI (`npm run build` first), as a user would; asynchronously, because the calendar
// it talks to is served by this process.
const MAIN = fileURLToPath(new URL('../../dist/controller/cli/main.js', import.meta.url));
const run = promisify(execFile);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

async function muster(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, MUSTER_DB: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sqliteStore(): Promise<{ db: string; store: Store; dir: string }> {
  const tmp = tempDir();
  cleanups.push(tmp.remove);
  const db = join(tmp.dir, 'muster.db');
  const store = await openMigratedStore(db);
  cleanups.push(() => store.close());
  return { db, store, dir: tmp.dir };
}

const answered = (answer: CalendarProofState['answer'], at: Date) => ({ [ALICE]: { answer, at: at.toISOString(), since: at.toISOString() } });

describe('muster proofs', () => {
  it('shows counts by status, pending by age, the oldest pending and each calendar’s answers', async () => {
    const { db, store } = await sqliteStore();
    // The command reads the real clock: ages are chosen far from the bucket edges.
    const now = Date.now();
    const rows: [string, ProofStatus, number, CalendarProofState['answer']][] = [
      ['fresh', 'pending', 30 * MINUTE, 'pending'],
      ['hours', 'pending', 2 * HOUR, 'pending'],
      ['days', 'pending', 3 * DAY, 'waiting'],
      ['weeks', 'pending', 10 * DAY, 'notFound'],
      ['done', 'anchored', 9 * DAY, 'upgraded'],
      ['old-1', 'expired', 20 * DAY, 'pending'],
      ['old-2', 'expired', 21 * DAY, 'pending'],
      ['nobody', 'failed', 1 * DAY, 'error'],
    ];
    for (const [id, status, age, answer] of rows) {
      const at = new Date(now - age);
      await store.insertProof({ bundleId: `lab-01/${id}`, bundleSha256: 'ab'.repeat(32), status, createdAt: at, proof: Uint8Array.of(0), calendars: answered(answer, at) });
    }

    const json = await muster('proofs', '--db', db, '--format', 'json');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.byStatus).toEqual({ pending: 4, anchored: 1, expired: 2, failed: 1 });
    expect(doc.pendingByAge.map((b: { label: string; count: number }) => [b.label, b.count])).toEqual([
      ['<1h', 1],
      ['1h-1d', 1],
      ['1d-7d', 1],
      ['>=7d', 1],
    ]);
    expect(doc.oldestPendingAt).toBe(new Date(now - 10 * DAY).toISOString());
    expect(doc.calendars).toEqual([{ calendar: ALICE, answers: { pending: 2, waiting: 1, notFound: 1 } }]);

    const text = await muster('proofs', '--db', db);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('By status:\n  pending    4\n  anchored   1\n  expired    2\n  failed     1\n');
    expect(text.stdout).toContain('  >=7d       1\n');
    expect(text.stdout).toMatch(/Oldest pending: \S+ \(10d old\)/);
    expect(text.stdout).toContain(`  ${ALICE}  notFound 1, pending 2, waiting 1\n`);

    // Another process reads an expiry the moment it is recorded, whether or not its row was rewritten yet.
    expect(await store.expireProofs(new Date(now - 7 * DAY))).toBe(1);
    const after = JSON.parse((await muster('proofs', '--db', db, '--format', 'json')).stdout);
    expect(after.byStatus).toEqual({ pending: 3, anchored: 1, expired: 3, failed: 1 });
    expect(after.oldestPendingAt).toBe(new Date(now - 3 * DAY).toISOString());
    expect(after.calendars).toEqual([{ calendar: ALICE, answers: { pending: 2, waiting: 1 } }]);
  });
});

describe('muster proofs upgrade', () => {
  it('runs one pass against the --repo policy’s calendar and prints what changed', async () => {
    const { db, store, dir } = await sqliteStore();
    const calendar = await startCalendarServer({ now: () => T0.getTime() });
    cleanups.push(() => calendar.close());
    const repo = join(dir, 'fleet');
    writeFiles(repo, { ...smallFleetFiles(), 'policies/ots.yaml': otsPolicyFile([calendar.url]) });
    const sha = createHash('sha256').update('bundle').digest('hex');
    const client = new PolicyCalendars({ clock: clockReading(() => T0.getTime()) }).forPolicy([calendar.url]);
    await submitEvidence({ store, client }, { bundleId: 'lab-01/b-1', sha256: sha }, T0);
    calendar.answers.set(expectedCommitment(sha, T0), { kind: 'timestamp', bytes: bitcoinContinuation() });

    const { code, stdout, stderr } = await muster('proofs', 'upgrade', '--repo', repo, '--db', db);

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`Checked 1 pending proof at `);
    expect(stdout).toContain(`  lab-01/b-1  pending → anchored  (${calendar.url}: submitted → upgraded)\n`);
    expect(calendar.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /digest', `GET /timestamp/${expectedCommitment(sha, T0)}`]);
    expect((await store.proofStats(T0)).byStatus.anchored).toBe(1);
  });

  it.each([
    { name: 'a repo without an OtsPolicy', given: 'no-policy', want: { code: 1, stderr: 'declares no OtsPolicy' } },
    { name: 'a store without an applied desired state', given: 'no-repo', want: { code: 1, stderr: 'holds no applied desired state: pass --repo DIR' } },
    { name: 'an invalid repo', given: 'invalid', want: { code: 1, stderr: 'is not a valid fleet repository' } },
  ])('exits 1 with $name', async ({ given, want }) => {
    const { db, dir } = await sqliteStore();
    const repo = join(dir, 'fleet');
    writeFiles(repo, given === 'invalid' ? { 'bad.yaml': 'kind: Nope\n' } : smallFleetFiles());
    const args = given === 'no-repo' ? ['proofs', 'upgrade', '--db', db] : ['proofs', 'upgrade', '--repo', repo, '--db', db];
    const r = await muster(...args);
    expect(r.code).toBe(want.code);
    expect(r.stderr).toContain(want.stderr);
    expect(r.stdout).toBe('');
  });
});

describe.each(STORES)('muster proofs upgrade on %s, the policy from the store', (_name, factory) => {
  let l: Lifecycle;
  afterEach(async () => l?.close());

  it('asks about expired proofs only with --include-expired', async () => {
    l = await startLifecycle(factory, [ALICE]);
    const desired = desiredWith([ALICE]);
    await l.h.store.saveDesiredState({ revision: desired.revision, objects: desired.objects, appliedAt: T0.toISOString() });
    const file = 'incomplete.txt.ots';
    const want = EXPECTED[file]!.pending[0]!.commitment;
    await l.h.store.insertProof({
      bundleId: `lab-01/${file}`,
      bundleSha256: EXPECTED[file]!.header.split('digest=')[1]!,
      status: 'expired',
      createdAt: new Date(T0.getTime() - 30 * DAY),
      proof: readFixture(file),
      calendars: {},
    });
    l.alice.answers.set(want, { kind: 'timestamp', bytes: bitcoinContinuation() });
    const deps = { fetch: l.fetch, clock: clockReading(() => T0.getTime()) };

    const plain = await upgradeProofsNow({ db: l.h.db }, deps);
    expect(plain).toMatchObject({ checked: 0, includeExpired: false, calendars: [ALICE] });
    expect(l.alice.requests).toEqual([]);

    const all = await upgradeProofsNow({ db: l.h.db, includeExpired: true }, deps);
    expect(all.changes).toEqual([{ bundleId: `lab-01/${file}`, from: 'expired', to: 'anchored', answers: [{ calendar: ALICE, from: null, to: 'upgraded' }] }]);
    expect(l.alice.requests.map((r) => r.path)).toEqual([`/timestamp/${want}`]);
    expect((await l.h.store.proofStats(T0)).byStatus).toMatchObject({ anchored: 1, expired: 0 });
  });
});

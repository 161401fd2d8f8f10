/**
 * The OTS lifecycle on real parts: a store (SQLite file or PostgreSQL database), two local
 * calendars speaking the protocol under the public calendars' names, the injected HTTP layer that
 * routes those names to them, and the real API with the evidence route.
 */
import { createHmac } from 'node:crypto';
import pino from 'pino';
import { evidencePlugin } from '../../controller/api/evidence-route.js';
import { ControllerMetrics } from '../../controller/api/metrics.js';
import type { DesiredState } from '../../controller/desired/types.js';
import { concatBytes, fromHex } from '../../controller/ots/bytes.js';
import type { FetchLike } from '../../controller/ots/calendar-http.js';
import { PolicyCalendars } from '../../controller/ots/lifecycle/policy-calendars.js';
import { ProofUpgradeJob } from '../../controller/ots/lifecycle/upgrade-job.js';
import { runPass, type PassDeps, type PassOutcome } from '../../controller/runtime/reconcile-pass.js';
import { startTestApi, type TestApi } from '../api/api-harness.js';
import { desiredFrom, smallFleetFiles } from '../helpers/fleet.js';
import { routeTo, startCalendarServer, type CalendarServer } from '../ots/calendar-server.js';
import { join } from 'node:path';
import { openMigratedStore } from '../../controller/store/open-store.js';
import type { Store } from '../../controller/store/store.js';
import { createTestDatabase } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';
import { clockReading } from '../../lib/clock.js';

export const ALICE = 'https://alice.btc.calendar.opentimestamps.org';
export const BOB = 'https://bob.btc.calendar.opentimestamps.org';
/** A public calendar no policy in these tests lists. */
export const FINNEY = 'https://finney.calendar.eternitywall.com';
export const T0 = new Date('2026-03-02T10:00:00.000Z');
const HMAC_KEY = 'calendar-test-key';

/** A migrated store on a database of its own, and the `--db` value that names it. */
export interface TestStore {
  store: Store;
  db: string;
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<TestStore>;

/** A SQLite file in a temporary directory. */
export const sqliteStore: StoreFactory = async () => {
  const tmp = tempDir();
  const db = join(tmp.dir, 'muster.db');
  const store = await openMigratedStore(db);
  return { store, db, cleanup: async () => (await store.close(), tmp.remove()) };
};

/** A database of its own on the test run's PostgreSQL. */
export const postgresStore: StoreFactory = async () => {
  const database = await createTestDatabase();
  const store = await openMigratedStore(database.url, { poolSize: 4 });
  return { store, db: database.url, cleanup: async () => (await store.close(), await database.drop()) };
};

export const STORES: [string, StoreFactory][] = [
  ['SQLite', sqliteStore],
  ['PostgreSQL', postgresStore],
];

/** The OtsPolicy document of a test fleet. */
export function otsPolicyFile(calendars: string[], extra = ''): string {
  return [
    'apiVersion: muster.dev/v1alpha1',
    'kind: OtsPolicy',
    'metadata:',
    '  name: evidence',
    'spec:',
    '  calendars:',
    ...calendars.map((c) => `    - ${c}`),
    '  expireAfter: 7d',
    '  upgradeEvery: 1h',
    extra,
    '',
  ].join('\n');
}

/** The small test fleet with an OtsPolicy listing `calendars` (none: no OtsPolicy at all). */
export function desiredWith(calendars: string[] | null, extra = ''): DesiredState {
  const files = smallFleetFiles();
  if (calendars) files['policies/ots.yaml'] = otsPolicyFile(calendars, extra);
  return desiredFrom(files);
}

/** The 44-byte commitment the local calendar stamps for `sha256` at `at`: time ‖ digest ‖ HMAC. */
export function expectedCommitment(sha256: string, at: Date): string {
  const time = Buffer.alloc(4);
  time.writeUInt32BE(Math.floor(at.getTime() / 1000));
  const digest = fromHex(sha256) as Uint8Array;
  const mac = createHmac('sha256', HMAC_KEY).update(time).update(digest).digest().subarray(0, 8);
  return Buffer.from(concatBytes(time, digest, mac)).toString('hex');
}

export interface Lifecycle {
  h: TestStore;
  alice: CalendarServer;
  bob: CalendarServer;
  finney: CalendarServer;
  /** Routes ALICE, BOB and FINNEY to the local calendars; anything else fails as unreachable. */
  fetch: FetchLike;
  /** The time the tests move by hand; the calendar clients' backoff runs on it. */
  clock: { now: Date };
  metrics: ControllerMetrics;
  calendars: PolicyCalendars;
  desired: DesiredState;
  job: ProofUpgradeJob;
  close(): Promise<void>;
}

/** Store, calendars and job for one test, the policy listing `policyCalendars` (ALICE and BOB by default). */
export async function startLifecycle(factory: StoreFactory, policyCalendars: string[] | null = [ALICE, BOB], policyExtra = ''): Promise<Lifecycle> {
  const clock = { now: T0 };
  const h = await factory();
  const servers = await Promise.all(
    [ALICE, BOB, FINNEY].map((uri) => startCalendarServer({ uri, now: () => clock.now.getTime(), hmacKey: HMAC_KEY })),
  );
  const [alice, bob, finney] = servers as [CalendarServer, CalendarServer, CalendarServer];
  const fetch = routeTo({ [ALICE]: alice.url, [BOB]: bob.url, [FINNEY]: finney.url });
  const metrics = new ControllerMetrics();
  const calendars = new PolicyCalendars({ fetch, clock: clockReading(() => clock.now.getTime()), timeoutMs: 5_000 });
  const desired = desiredWith(policyCalendars, policyExtra);
  const job = new ProofUpgradeJob({ store: h.store, calendars, policy: () => desired.otsPolicy, metrics });
  return {
    h,
    alice,
    bob,
    finney,
    fetch,
    clock,
    metrics,
    calendars,
    desired,
    job,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
      await h.cleanup();
    },
  };
}

/** The real API over the lifecycle's store with the evidence route, and a token for lab-01. */
export async function startEvidenceApi(l: Lifecycle): Promise<{ api: TestApi; token: string }> {
  const token = (await l.h.store.issueToken('lab-01')) as string;
  const api = await startTestApi(l.h.store, l.desired, l.clock.now, {
    metrics: l.metrics,
    plugins: [evidencePlugin({ store: l.h.store, policy: () => l.desired.otsPolicy, calendars: l.calendars, now: () => l.clock.now, metrics: l.metrics })],
  });
  return { api, token };
}

/** A metric's samples as `labels → value`, for assertions. */
export async function samples(metrics: ControllerMetrics, name: string): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) return {};
  const { values } = await metric.get();
  return Object.fromEntries(values.map((v) => [Object.values(v.labels).join(' '), v.value]));
}

/** One reconcile pass at `now` as the leader, on `desired` applied from the source without errors. */
export function leaderPass(store: Store, desired: DesiredState, now: Date, extra: Partial<PassDeps> = {}): Promise<PassOutcome> {
  return runPass(
    {
      store,
      desired: () => desired,
      sourceStatus: () => ({ lastAppliedRevision: desired.revision, lastAttemptedRevision: desired.revision, errors: [], at: now.toISOString() }),
      isLeader: () => true,
      log: pino({ level: 'silent' }),
      ...extra,
    },
    now,
  );
}

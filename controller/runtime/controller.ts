import type { Logger } from 'pino';
import { backgroundClock, type Clock } from '../../lib/clock.js';
import type { GroupCommitOptions } from '../api/group-commit.js';
import { ResponseIndex } from '../api/response-index.js';
import { evidencePlugin } from '../api/evidence-route.js';
import { ControllerMetrics } from '../api/metrics.js';
import { buildApi, type ApiPlugin, type ApiView } from '../api/server.js';
import type { DesiredState } from '../desired/types.js';
import type { FetchLike } from '../ots/calendar-http.js';
import { PolicyCalendars } from '../ots/lifecycle/policy-calendars.js';
import { ProofUpgradeJob } from '../ots/lifecycle/upgrade-job.js';
import { UpgradeSchedule } from '../ots/lifecycle/upgrade-schedule.js';
import { ReconcileCache } from '../reconcile/reconcile.js';
import type { Plan } from '../reconcile/plan.js';
import { openSource } from '../sources/open-source.js';
import { TrackedSource, type TrackedChange } from '../sources/revision-tracker.js';
import { openMigratedStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { Notifications } from '../notify/service.js';
import { collectorMode } from './gc-mode.js';
import { allocatorMode } from './malloc-settings.js';
import { HousekeepingSchedule } from './housekeeping.js';
import { LeadershipKeeper } from './leadership-keeper.js';
import { ReconcileLoop } from './loop.js';
import type { WorkerHeap } from './pass-messages.js';
import { isWorkerPlanned, PassThread, passWorkerAvailable } from './pass-thread.js';
import { runPass, type PassOutcome } from './reconcile-pass.js';
import { RevisionCollection } from './revision-collection.js';
import { desiredFromSavedIsolated } from './saved-desired.js';

export interface ControllerOptions {
  /** `--repo`: a git URL or a directory. */
  repo: string;
  branch?: string;
  cacheDir?: string;
  /** `--db`: a PostgreSQL URL or a SQLite path (ignored when `store` is given). */
  db: string;
  store?: Store;
  host: string;
  port: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  webhookSecret?: string;
  /** Time between reconcile passes (default 10 s). */
  intervalMs?: number;
  /** Time between fetches of a git remote (default 60 s). */
  fetchIntervalMs?: number;
  checkinDebounceMs?: number;
  /** Least time between a pass and the next one check-ins ask for (default 5 s; more after long passes). */
  checkinMinGapMs?: number;
  leaderRetryMs?: number;
  /** PostgreSQL: how often the leader checks its lock connection; silent for three, it loses the lock (default 5 s). */
  leaderHeartbeatMs?: number;
  /** The clock passes, fetches, retries, check-in stamps and the store's own stamps run on (the real one, unref'd, by default). */
  clock?: Clock;
  logger: Logger;
  /** Group commit of check-ins (batch size and wait); the API's defaults when absent. */
  groupCommit?: GroupCommitOptions;
  /** Routes added to the API besides the built-in ones (check-ins, status, webhook, evidence). */
  apiPlugins?: ApiPlugin[];
  /** The HTTP layer OpenTimestamps calendars are reached through (the global fetch by default). */
  calendarFetch?: FetchLike;
  /** `--public-url`: the status page's base URL, for links in notifications (none when absent). */
  publicUrl?: string;
  /** How often the outbox is checked for due notifications (default 5 s). */
  notifyPollMs?: number;
  /**
   * Where reconcile passes run: `auto` (the default) on a worker thread once the desired state declares
   * WORKER_PASS_APPLIANCES appliances or more, `always`, or `never` (on the API's thread). A worker needs
   * the store opened from `db` (not `store`) and the built sources.
   */
  reconcileWorker?: 'auto' | 'always' | 'never';
}

/** From this many declared appliances a pass takes long enough to stall check-ins: it runs on a worker. */
export const WORKER_PASS_APPLIANCES = 5_000;

export interface RunningController {
  /** Base URL the API listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  store: Store;
  metrics: ControllerMetrics;
  source: TrackedSource;
  plan(): Plan | null;
  isLeader(): boolean;
  /** Runs one pass now and waits for it (tests, demos). */
  reconcileNow(): Promise<PassOutcome>;
  /** Stops the loop, drains in-flight check-ins, releases leadership and closes the store. */
  stop(): Promise<void>;
}

/**
 * Starts a controller: store (migrated), leadership, source, API and reconcile loop. Rejects when a second
 * controller is started on the same SQLite file or the store cannot be opened.
 */
export async function startController(options: ControllerOptions): Promise<RunningController> {
  const clock = options.clock ?? backgroundClock;
  const nowDate = () => new Date(clock.now());
  const log = options.logger;
  const store = options.store ?? (await openMigratedStore(options.db, { clock, ...(options.leaderHeartbeatMs ? { leaderHeartbeatMs: options.leaderHeartbeatMs } : {}) }));
  const metrics = new ControllerMetrics({ defaultMetrics: true });
  const source = new TrackedSource(
    await openSource({ repo: options.repo, branch: options.branch, cacheDir: options.cacheDir, clock, intervalMs: options.fetchIntervalMs ?? 60_000 }),
    clock,
  );
  const view = new ControllerView(source);

  const leadership = new LeadershipKeeper(store, clock, log, options.leaderRetryMs ?? 5_000, (leader) => {
    metrics.leader.set(leader ? 1 : 0);
    if (leader) loop.request(0);
  });
  const housekeeping = new HousekeepingSchedule(store, log);
  const otsPolicy = () => view.desired()?.otsPolicy ?? null;
  const calendars = new PolicyCalendars({ fetch: options.calendarFetch, clock });
  const upgrades = new UpgradeSchedule(new ProofUpgradeJob({ store, calendars, policy: otsPolicy, metrics }), log);
  const notifications = new Notifications({
    store,
    notifiers: () => view.desired()?.notifiers ?? [],
    publicUrl: options.publicUrl ?? null,
    isLeader: () => leadership.isLeader(),
    clock,
    log,
    registry: metrics.registry,
    pollMs: options.notifyPollMs,
  });
  const notify = notifications.forPass();
  const mode = options.reconcileWorker ?? 'auto';
  const thread = mode !== 'never' && !options.store && passWorkerAvailable() ? new PassThread(options.db) : null;
  const onWorker = (desired: DesiredState | null) => thread !== null && (mode === 'always' || (desired?.appliances.length ?? 0) >= WORKER_PASS_APPLIANCES);
  const onHeap = (heap: WorkerHeap) => {
    metrics.workerHeap.set({ state: 'used' }, heap.usedBytes);
    metrics.workerHeap.set({ state: 'committed' }, heap.committedBytes);
  };
  // The loop's passes on this thread keep their cache here; the worker keeps its own.
  const cache = new ReconcileCache();
  const collection = new RevisionCollection();
  const loop: ReconcileLoop = new ReconcileLoop({
    pass: (now) => {
      const desired = view.desired();
      if (thread && onWorker(desired)) return thread.run({ desired, sourceStatus: source.status(), isLeader: leadership.isLeader(), log, notify, forecast: true, onHeap }, now);
      return runPass({ store, desired: () => view.desired(), sourceStatus: () => source.status(), isLeader: () => leadership.isLeader(), log, notify, cache, forecast: true }, now);
    },
    clock,
    intervalMs: options.intervalMs ?? 10_000,
    checkinDebounceMs: options.checkinDebounceMs ?? 1_000,
    checkinMinGapMs: options.checkinMinGapMs,
    onOutcome: (outcome, ms) => {
      metrics.reconcileDuration.observe(ms / 1000);
      if (outcome.kind === 'planned') collection.afterPass(view.desired());
      view.record(outcome, log, metrics);
      if (outcome.kind === 'planned' && outcome.applied) {
        void reportPlan(source, outcome, log);
        void housekeeping.afterPass(view.desired(), nowDate());
        void upgrades.afterPass(otsPolicy(), nowDate());
        notifications.afterPass();
      }
    },
  });

  try {
    await leadership.start();
  } catch (err) {
    if (!options.store) await store.close();
    throw err;
  }
  source.onChange((change) => {
    void persistSourceChange(change, source, store, leadership.isLeader(), log, metrics);
    loop.request(0);
  });
  await source.start();
  // The state the store last applied is acted on only when the source has none to give (its remote
  // unreachable, its revision rejected), so it is rebuilt only then: at 100,000 appliances that takes
  // about 8 s and, held beside the source's own, about 80 MB of this thread's heap through start-up.
  if (!source.current()) view.actOnSaved(await desiredFromSavedIsolated(await store.loadDesiredState().catch(() => null)));
  collection.afterStartupLoad();

  const api = await buildApi({
    store,
    view,
    metrics,
    logger: log,
    clock,
    onCheckin: () => loop.checkinArrived(),
    webhookSecret: options.webhookSecret,
    onWebhook: () => source.source.trigger(),
    tls: options.tls,
    plugins: [evidencePlugin({ store, policy: otsPolicy, calendars, now: nowDate, metrics }), ...(options.apiPlugins ?? [])],
    groupCommit: options.groupCommit,
  });
  const address = await api.listen({ host: options.host, port: options.port });
  loop.start();
  notifications.start();
  log.info({ address, store: store.description, repo: options.repo, gc: collectorMode(), malloc: allocatorMode() }, 'controller started');

  return {
    url: address,
    store,
    metrics,
    source,
    plan: () => view.plan(),
    isLeader: () => leadership.isLeader(),
    reconcileNow: () => loop.runNow(),
    stop: async () => {
      await loop.stop();
      await notifications.stop();
      await thread?.close();
      await upgrades.stop();
      await api.close();
      await source.stop();
      await leadership.stop();
      if (!options.store) await store.close();
      log.info('controller stopped');
    },
  };
}

/** Lets the source show the applied plan (a Kubernetes source writes Rollout statuses); problems are logged. */
async function reportPlan(source: TrackedSource, outcome: { plan: Plan }, log: Logger): Promise<void> {
  // Only a source that shows plans reads the plan: a worker's plan is decoded on first read.
  if (!source.source.reportPlan) return;
  const problems = await source.source.reportPlan(outcome.plan).catch((err: unknown) => [String(err)]);
  for (const problem of problems) log.warn({ problem }, 'could not show the plan at the source');
}

/** Records a new applied revision and the source's status in the store, so CLI commands see them. */
async function persistSourceChange(
  change: TrackedChange,
  source: TrackedSource,
  store: Store,
  leader: boolean,
  log: Logger,
  metrics: ControllerMetrics,
): Promise<void> {
  const status = change.status;
  if (change.outcome === 'rejected') {
    metrics.sourceErrors.inc({ kind: 'invalid' });
    log.error({ revision: status.lastAttemptedRevision, errors: status.errors }, 'revision rejected: keeping the last good one');
  } else if (change.outcome === 'fetch' && status.fetchError) {
    metrics.sourceErrors.inc({ kind: 'fetch' });
    log.warn({ error: status.fetchError }, 'fetch failed: keeping the last good revision');
  } else if (change.outcome === 'applied') {
    log.info({ revision: status.lastAppliedRevision }, 'new desired state');
  }
  const desired = change.outcome === 'applied' ? source.current() : null;
  try {
    if (!leader) return;
    if (desired) {
      await store.saveDesiredState({ revision: desired.revision, objects: desired.objects, appliedAt: status.at, ...(desired.commit ? { commit: desired.commit } : {}) });
    }
    await store.saveSourceStatus({
      lastAppliedRevision: status.lastAppliedRevision,
      lastAttemptedRevision: status.lastAttemptedRevision,
      errors: status.errors,
      at: status.at,
    });
  } catch (err) {
    log.warn({ err }, 'could not record the source status in the store');
  } finally {
    // The documents as loaded are for the store alone (the status page and the CLI read them there;
    // passes read the parsed kinds): once saved, or on a replica that does not save, they go. At
    // 100,000 appliances they held about 17 MB of the API thread's heap.
    if (desired) desired.objects = [];
  }
}

/** What the API serves between passes: the latest plan and the check-in answers built from it. */
class ControllerView implements ApiView {
  private latest: { get: () => Plan } | null = null;
  private index = new ResponseIndex(null, null);

  /**
   * The store's last applied desired state, when the source had none at start-up: acted on until the
   * source delivers one, then let go (a source keeps its last good state from then on; at 100,000
   * appliances the saved copy alone held about 45 MB of the API thread's heap).
   */
  private saved: DesiredState | null = null;

  constructor(private readonly source: TrackedSource) {}

  actOnSaved(saved: DesiredState | null): void {
    this.saved = saved;
  }

  desired(): DesiredState | null {
    const current = this.source.current();
    if (current) this.saved = null;
    return current ?? this.saved;
  }

  record(outcome: PassOutcome, log: Logger, metrics: ControllerMetrics): void {
    if (isWorkerPlanned(outcome)) {
      // Computed on the worker: nothing here walks the fleet, and the plan is decoded only if read.
      const { desired, answers, counts, actions } = outcome.computed;
      this.latest = { get: () => outcome.plan };
      this.index = new ResponseIndex(desired, null, answers);
      metrics.observePlanCounts(counts);
      metrics.observeProofs(outcome.proofs, outcome.expired);
      for (const action of outcome.applied ? actions : []) metrics.actionsApplied.inc({ type: action.type });
      if (outcome.expired) log.info({ expired: outcome.expired }, 'expired pending proofs');
    } else if (outcome.kind === 'planned') {
      const plan = outcome.plan;
      this.latest = { get: () => plan };
      this.index = new ResponseIndex(this.desired(), outcome.plan);
      metrics.observePlan(outcome.plan);
      metrics.observeProofs(outcome.proofs, outcome.expired);
      for (const action of outcome.applied ? outcome.plan.actions : []) metrics.actionsApplied.inc({ type: action.type });
      if (outcome.expired) log.info({ expired: outcome.expired }, 'expired pending proofs');
    } else if (outcome.kind === 'unavailable' || outcome.kind === 'failed') {
      log.error({ err: outcome.error }, `reconcile ${outcome.kind}`);
    }
  }

  responses(): ResponseIndex {
    return this.index;
  }

  plan(): Plan | null {
    return this.latest?.get() ?? null;
  }

  readiness(): { desiredLoaded: boolean; revision: string | null; sourceError: string | null } {
    const desired = this.desired();
    const status = this.source.status();
    const sourceError = status.fetchError?.message ?? (status.errors.length ? `revision ${status.lastAttemptedRevision} rejected` : null);
    return { desiredLoaded: desired !== null, revision: desired?.revision ?? null, sourceError };
  }
}

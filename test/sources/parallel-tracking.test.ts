import { afterAll, describe, expect, test } from 'vitest';
import { loadFleetFiles } from '../../controller/desired/load.js';
import { initialTrackerState, TrackedSource, trackRevision, type TrackedChange } from '../../controller/sources/revision-tracker.js';
import type { FetchStatus, Revision, Source } from '../../controller/sources/source.js';
import { appliance, files } from '../desired/fleet-builders.js';
import { builtPool, largeFleet } from '../desired/large-fleet.js';
import { ManualClock } from '../helpers/manual-clock.js';

const pool = builtPool();
afterAll(() => pool.close());

/** A source the test drives: each `fetched` call announces a revision, as a fetch would. */
class HandSource implements Source {
  readonly kind = 'directory' as const;
  private readonly listeners = new Set<(revision: Revision) => void>();
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  trigger(): void {}
  async sync(): Promise<Revision | null> {
    return null;
  }
  onRevision(listener: (revision: Revision) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onFetch(): () => void {
    return () => undefined;
  }
  status(): FetchStatus {
    return { kind: 'directory', location: 'hand', fetchedRevision: null, lastFetchAt: null, fetchError: null };
  }
  fetched(revision: Revision): void {
    for (const listener of this.listeners) listener(revision);
  }
}

const largeGood = (id: string): Revision => ({ id, files: largeFleet(150, 20) });
const largeBad = (id: string): Revision => ({ id, files: largeFleet(150, 20, [40]) });
const smallBad = (id: string): Revision => ({ id, files: files({ 'a.yaml': appliance('Not_Valid') }) });

function tracked() {
  const source = new HandSource();
  const clock = new ManualClock();
  // Revisions of more than 64 KiB go to the workers; the small ones stay in this thread.
  const t = new TrackedSource(source, clock, undefined, { pool, minBytes: 64 * 1024 });
  const changes: TrackedChange['outcome'][] = [];
  t.onChange((change) => changes.push(change.outcome));
  return { source, clock, t, changes };
}

describe('a tracked source loading large revisions on worker threads', () => {
  test('a large valid revision becomes current, as loading it in one thread would make it', async () => {
    const { source, clock, t, changes } = tracked();
    const revision = largeGood('r1');
    source.fetched(revision);
    await t.settled();
    expect(changes).toEqual(['applied']);
    const reference = trackRevision(initialTrackerState(clock.date()), revision, clock.date()).state;
    expect(t.current()).toEqual(reference.current);
    expect(t.status()).toMatchObject(reference.status);
  });

  test('a large invalid revision is rejected with the errors of the reference; the good one stays', async () => {
    const { source, t, changes } = tracked();
    source.fetched(largeGood('r1'));
    const bad = largeBad('r2');
    source.fetched(bad);
    await t.settled();
    const reference = loadFleetFiles(bad.files, bad.id);
    expect(reference.ok).toBe(false);
    expect(t.status()).toMatchObject({ lastAppliedRevision: 'r1', lastAttemptedRevision: 'r2', errors: reference.ok ? [] : reference.errors });
    expect(t.current()?.revision).toBe('r1');
    expect(changes).toEqual(['applied', 'rejected']);
  });

  test('revisions take effect in the order fetched, a small one behind a large one still loading', async () => {
    const { source, t, changes } = tracked();
    source.fetched(largeGood('r1'));
    source.fetched(smallBad('r2'));
    // The small one waits for the large one before it: nothing is recorded yet.
    expect(t.status().lastAttemptedRevision).toBeNull();
    source.fetched(largeGood('r3'));
    await t.settled();
    expect(changes).toEqual(['applied', 'rejected', 'applied']);
    expect(t.status()).toMatchObject({ lastAppliedRevision: 'r3', lastAttemptedRevision: 'r3', errors: [] });
  });

  test('once the large loads are done, a small revision is recorded at once again', async () => {
    const { source, t } = tracked();
    source.fetched(largeGood('r1'));
    await t.settled();
    source.fetched(smallBad('r2'));
    expect(t.status().lastAttemptedRevision).toBe('r2');
  });
});

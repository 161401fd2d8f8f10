import type { DesiredState } from '../desired/types.js';
import { fullCollection } from './full-collection.js';

/**
 * One full garbage collection of the API thread's heap after the first pass of each desired state.
 * Loading a revision leaves its garbage on this thread — the documents it saved (17 MB at 100,000
 * appliances) and, when start-up found the source with nothing to give, the saved desired state acted
 * on until it did (about 45 MB) — and it becomes garbage only as that revision's first pass runs. V8
 * left it for tens of seconds, through the passes after start-up, whose peaks it raised by about
 * 100 MB (2026-12-05, docs/BENCHMARKS.md). The collection takes about 0.1 s there; at start-up it runs
 * before the first plan is recorded, so before any check-in is answered; for a later revision the
 * API waits that long once, as it would when V8 collected on its own.
 */
export class RevisionCollection {
  private collectedFor: DesiredState | null = null;

  constructor(private readonly collect: (() => void) | null = fullCollection()) {}

  /** After a pass planned with `desired`: collects if it is the first for that desired state. Whether it collected. */
  afterPass(desired: DesiredState | null): boolean {
    if (!this.collect || !desired || desired === this.collectedFor) return false;
    this.collectedFor = desired;
    this.collect();
    return true;
  }

  /**
   * At start-up, once the source's first revision is loaded and before the API listens: what loading
   * it left here (its texts, the messages from the load's workers) goes before the first pass, which
   * would otherwise run beside it. At 100,000 appliances the process's peak over a run fell from
   * 607–667 MB to 575–601 MB (five runs each, 2026-12-05); the collection takes about 0.1 s. Whether it collected.
   */
  afterStartupLoad(): boolean {
    if (!this.collect) return false;
    this.collect();
    return true;
  }
}

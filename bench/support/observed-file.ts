import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ProofCounts, StateDocument } from '../../controller/observed/state-schema.js';
import { sqliteImportState, sqliteLoadObserved } from '../../controller/store/sqlite-observed.js';
import { SqliteStore } from '../../controller/store/sqlite-store.js';

/**
 * A fleet's observed state kept where the controller keeps it: a SQLite file with the store's
 * schema, read back for each pass with the store's own read (fresh rows, reports shared by the
 * store's observation reader), so that a benchmark plans from what the reconcile worker is given
 * and holds no copy of its own between passes.
 *
 * One plain connection, no store object: the store would also start its check-in writer thread,
 * whose heap is not the pass's. Proof counts travel as the document says (the file has no proof rows).
 */
export class ObservedFile {
  private constructor(
    private readonly dir: string,
    private readonly db: Database.Database,
    private proofs: ProofCounts,
  ) {}

  /** A new file in a temporary directory holding `doc`'s appliances, rollouts and assignments. */
  static async create(doc: StateDocument): Promise<ObservedFile> {
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-observed-'));
    const path = join(dir, 'observed.db');
    const store = new SqliteStore(path);
    await store.migrate();
    await store.close();
    const file = new ObservedFile(dir, new Database(path), doc.proofs);
    file.replace(doc);
    return file;
  }

  /** The State document as the store reads it at `now`, with the proof counts last given. */
  read(now: Date): StateDocument {
    return { ...sqliteLoadObserved(this.db, now).state, proofs: this.proofs };
  }

  /** Replaces the observed state with `doc` (as an applied plan leaves it). */
  replace(doc: StateDocument): void {
    sqliteImportState(this.db, doc);
    this.proofs = doc.proofs;
  }

  /** Every appliance that checked in after `afterMs` checks in again `byMs` later. */
  checkInAgain(afterMs: number, byMs: number): void {
    this.db.prepare('UPDATE appliances SET last_checkin_at = last_checkin_at + ? WHERE last_checkin_at > ?').run(byMs, afterMs);
  }

  close(): void {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

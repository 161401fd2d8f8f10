import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { failpointSource } from '../failpoints.js';
import { StoreUnavailableError } from './errors.js';
import type { HistoryCandidate } from './checkin-writes.js';
import type { ApplianceRow } from './observed-document.js';
import { SQLITE_APPLIANCE_COLUMNS } from './sqlite-rows.js';

/** An appliance's latest state, upserted unless the stored check-in is newer. */
export const UPSERT_APPLIANCE_SQL = `INSERT INTO appliances (${SQLITE_APPLIANCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET last_checkin_at = excluded.last_checkin_at, agent_version = excluded.agent_version,
    image_version = excluded.image_version, update_report = excluded.update_report, defer_until = excluded.defer_until,
    retention = excluded.retention
  WHERE excluded.last_checkin_at >= appliances.last_checkin_at`;

/**
 * The usual check-in: the appliance's row already reports the same, so only its check-in time moves
 * (when newer). One statement where the history's comparison and the upsert take two; when it changes
 * nothing, the check-in goes the long way (INSERT_HISTORY_SQL, then UPSERT_APPLIANCE_SQL), which
 * then writes what the two always wrote. Parameters: time, appliance, time, then the reported columns.
 */
export const TOUCH_APPLIANCE_SQL = `UPDATE appliances SET last_checkin_at = ? WHERE id = ? AND last_checkin_at <= ?
  AND agent_version IS ? AND image_version IS ? AND update_report IS ? AND defer_until IS ? AND retention IS ?`;

/**
 * A history row, written when forced or when the appliance's stored row (before the batch's upserts)
 * reports something else: never checked in, or any reported column different.
 */
export const INSERT_HISTORY_SQL = `INSERT INTO checkin_history (appliance, at, report) SELECT ?, ?, ?
  WHERE ? OR NOT EXISTS (SELECT 1 FROM appliances WHERE id = ? AND agent_version IS ? AND image_version IS ?
    AND update_report IS ? AND defer_until IS ? AND retention IS ?)`;

/**
 * One candidate history row, in INSERT_HISTORY_SQL's parameter order: appliance, check-in time in ms,
 * the report as JSON, 1 when forced, then the appliance and its reported columns to compare.
 */
export type HistoryRow = [string, number, string, number, string, string | null, string | null, string | null, string | null, string | null];

/** A history candidate as the worker takes it. */
export function historyValues(candidate: HistoryCandidate): HistoryRow {
  const { row } = candidate;
  return [row.id, row.lastCheckinMs, candidate.report, candidate.forced ? 1 : 0, row.id, row.agentVersion, row.imageVersion, row.update, row.deferUntil, row.retention];
}

/**
 * An appliances row as the worker takes it: the values in SQLITE_APPLIANCE_COLUMNS order, then the
 * check-in's history report when the row is also a history candidate compared with the stored row
 * (see CheckinWrites.latestReports), else null.
 */
export type ApplianceValues = [string, number, string | null, string | null, string | null, string | null, string | null, string | null];

/** Arrays of plain values cross to the worker thread at a fraction of the cost of objects. */
export function applianceValues(row: ApplianceRow, report: string | null): ApplianceValues {
  return [row.id, row.lastCheckinMs, row.agentVersion, row.imageVersion, row.update, row.deferUntil, row.retention, report];
}

// Plain JavaScript, run as a worker from this string so that it needs no build step of its own.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs });
db.pragma('synchronous = FULL');
const upsert = db.prepare(workerData.upsertSql);
const history = db.prepare(workerData.historySql);
const touch = db.prepare(workerData.touchSql);
// The other candidates first: they are compared with the appliance rows as they were before this batch.
// Each row's own history is compared before its upsert; the rows are of distinct appliances.
const write = db.transaction((rows, histories) => {
  for (const h of histories) history.run(h);
  for (const r of rows) {
    if (touch.run(r[1], r[0], r[1], r[2], r[3], r[4], r[5], r[6]).changes === 1) continue;
    if (r[7] !== null) history.run(r[0], r[1], r[7], 0, r[0], r[2], r[3], r[4], r[5], r[6]);
    upsert.run(r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
  }
  ${failpointSource('group-commit')}
});
parentPort.on('message', (message) => {
  if (message.close) {
    db.close();
    parentPort.close();
    return;
  }
  try {
    write.immediate(message.rows, message.histories);
    parentPort.postMessage({ id: message.id, ok: true });
  } catch (err) {
    parentPort.postMessage({ id: message.id, ok: false, message: String(err && err.message), code: err && err.code });
  }
});
`;

interface Reply {
  id: number;
  ok: boolean;
  message?: string;
  code?: string;
}

/**
 * Writes check-in batches on a worker thread with a connection of its own. better-sqlite3 is
 * synchronous and a durable commit waits for the disk (`synchronous=FULL`: an fsync of the log, about
 * 2 ms here): on the API's thread that wait would stop every request for its length, on this thread
 * the API keeps parsing and answering while the disk works. Writes are queued in the order given and
 * each resolves once committed.
 */
export class SqliteCheckinWriter {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  constructor(
    private readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {}

  /**
   * Appends the history rows that changed (`histories`, then the rows' own) and upserts the rows in
   * one IMMEDIATE transaction; resolves once committed.
   * Rejects with StoreUnavailableError when another process held the write lock past the busy timeout.
   */
  write(rows: readonly ApplianceValues[], histories: readonly HistoryRow[]): Promise<void> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // Referenced only while a write is pending: it then keeps the process alive, never otherwise.
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, rows, histories });
    });
  }

  /** Closes the worker's connection once the writes queued before have been committed. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // An idle worker is unreferenced: without this the process could end (exit 13, an unsettled
    // top-level await) while waiting here, before the worker has closed its connection.
    worker.ref();
    worker.postMessage({ close: true });
    await exited;
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        path: this.path,
        busyTimeoutMs: this.busyTimeoutMs,
        upsertSql: UPSERT_APPLIANCE_SQL,
        historySql: INSERT_HISTORY_SQL,
        touchSql: TOUCH_APPLIANCE_SQL,
      },
    });
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new Error(`the SQLite check-in writer stopped (exit code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  private settle(reply: Reply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (reply.ok) return waiting.resolve();
    const err = Object.assign(new Error(reply.message ?? 'SQLite write failed'), { code: reply.code });
    const unavailable = unavailableBecause(reply.code);
    waiting.reject(unavailable ? new StoreUnavailableError(`the SQLite database ${unavailable}: ${err.message}`, err) : err);
  }

  private failAll(err: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(err);
    this.pending.clear();
  }
}

/**
 * Why a write failed for a reason that passes (so the check-in is answered 503 with Retry-After and
 * the agent retries), or null for an error in the request itself: busy or locked by another
 * connection, the disk full, or the disk failing to read or write.
 */
function unavailableBecause(code: string | undefined): string | null {
  if (!code) return null;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'is busy';
  if (code.startsWith('SQLITE_FULL')) return 'has no room: the disk is full';
  if (code.startsWith('SQLITE_IOERR')) return 'cannot read or write its file';
  return null;
}

import type { Finding } from '../reconcile/plan.js';
import { findingRow, findingsByKey, type FindingRow } from './plan-writes.js';

/**
 * Which findings rows a plan changes. A pass over a large fleet reports thousands of findings that are
 * the same as last pass; rewriting each of them every pass made the findings table the heaviest write
 * of the controller. Only what changed is written: new and reopened findings, a changed severity,
 * message or `since`, resolutions, and `last_seen` once it is older than the refresh period.
 */

/** How stale `last_seen` of an unchanged open finding may get before a pass refreshes it. */
export const LAST_SEEN_REFRESH_MS = 5 * 60_000;

/**
 * What the store remembers of an open finding to decide whether a plan changes it: the plan's own
 * Finding once a pass has seen it, a row's three columns when read from the database.
 */
export interface OpenFinding {
  readonly severity: string;
  readonly since?: string | null;
  readonly message: string;
}

/**
 * The open findings a store remembers between the passes it applies. `last_seen` is kept for all of
 * them at once: no open finding was last seen before `seenSinceMs`, and when that is a refresh period
 * old, a pass touches every unchanged one. A time per finding cost 72 bytes of heap each (an object
 * and a boxed number: 21 MB at 300,000 findings) for what is in practice the same few pass times.
 */
export interface OpenFindings {
  byKey: ReadonlyMap<string, OpenFinding>;
  /** The oldest `last_seen` among the open findings, ms; NaN when unknown (the next pass touches them all). */
  seenSinceMs: number;
}

export interface FindingChanges {
  /** Not open now (never seen, or resolved before): inserted, or reopened with first seen = now. */
  open: FindingRow[];
  /** Open, and the plan changes its severity, message or since: rewritten with last seen = now. */
  change: FindingRow[];
  /**
   * Open and unchanged, when the oldest last seen is a refresh period old: last seen = now. Then it is
   * every open finding not in `change` or `resolve`, so the stores touch every row still open once
   * the rest is written, in one statement, instead of row by row.
   */
  touch: string[];
  /** Open, and absent from the plan: resolved at now. */
  resolve: string[];
  /** The plan's findings by key: once written, exactly the open findings. */
  planned: Map<string, Finding>;
  /** Whether every open finding's last seen is now (all unchanged ones were touched). */
  refreshed: boolean;
  /** The oldest last seen among the open findings before these writes, ms; NaN when unknown. */
  seenSinceMs: number;
}

/**
 * Compares the plan's findings with the open ones and returns the writes that bring the table up to
 * date at `now`. Rows are built only for what is written: on a quiet pass over a large fleet that is
 * next to nothing. The stores run the result through their own statements; `open` is not changed.
 */
export function findingChanges(findings: readonly Finding[], open: OpenFindings, now: string, refreshMs = LAST_SEEN_REFRESH_MS): FindingChanges {
  const refreshed = !(Date.parse(now) - open.seenSinceMs < refreshMs);
  const planned = findingsByKey(findings);
  const changes: FindingChanges = { open: [], change: [], touch: [], resolve: [], planned, refreshed, seenSinceMs: open.seenSinceMs };
  for (const [key, f] of planned) {
    const current = open.byKey.get(key);
    if (!current) changes.open.push(findingRow(f, key));
    else if (differs(current, f)) changes.change.push(findingRow(f, key));
    else if (refreshed) changes.touch.push(key);
  }
  for (const key of open.byKey.keys()) if (!planned.has(key)) changes.resolve.push(key);
  return changes;
}

/** Open findings as a store reads them back: each open row once, with its last seen. */
export type OpenFindingRows = Iterable<[key: string, finding: OpenFinding, lastSeen: string]>;

const NEW = 0;
const UNCHANGED = 1;
const CHANGED = 2;

/**
 * findingChanges against the open rows as the store reads them, one at a time, when it remembers
 * none (the first apply after a start, or after another writer): each row is compared as it comes
 * and dropped, so the rows are never all held at once. At 100,000 appliances holding them as a map
 * beside the plan's findings was about 58 MB of the reconcile worker's heap at its height. The
 * result is findingChanges' exactly, in the same order.
 */
export function findingChangesFromRows(findings: readonly Finding[], rows: OpenFindingRows, now: string, refreshMs = LAST_SEEN_REFRESH_MS): FindingChanges {
  const comparison = new FindingRowComparison(findings, now, refreshMs);
  comparison.add(rows);
  return comparison.changes();
}

/**
 * findingChangesFromRows with the rows given in as many parts as the store reads them in (a
 * PostgreSQL cursor's fetches): `add` each part in order, then take `changes`.
 */
export class FindingRowComparison {
  private readonly planned: Map<string, Finding>;
  // Keyed by the plan's own key strings (setting a key already there keeps the first), none of the rows'.
  private readonly state = new Map<string, number>();
  private readonly resolve: string[] = [];
  private oldest = Infinity;

  constructor(
    findings: readonly Finding[],
    private readonly now: string,
    private readonly refreshMs = LAST_SEEN_REFRESH_MS,
  ) {
    this.planned = findingsByKey(findings);
    for (const key of this.planned.keys()) this.state.set(key, NEW);
  }

  /** Compares the next open rows with the plan's findings. */
  add(rows: OpenFindingRows): void {
    for (const [key, current, lastSeen] of rows) {
      this.oldest = Math.min(this.oldest, Date.parse(lastSeen));
      const f = this.planned.get(key);
      if (f === undefined) this.resolve.push(key);
      else this.state.set(key, differs(current, f) ? CHANGED : UNCHANGED);
    }
  }

  /** The changes, once every open row was added. */
  changes(): FindingChanges {
    const { planned, resolve } = this;
    const seenSinceMs = Number.isFinite(this.oldest) ? this.oldest : NaN;
    const refreshed = !(Date.parse(this.now) - seenSinceMs < this.refreshMs);
    const changes: FindingChanges = { open: [], change: [], touch: [], resolve, planned, refreshed, seenSinceMs };
    for (const [key, found] of this.state) {
      if (found === NEW) changes.open.push(findingRow(planned.get(key) as Finding, key));
      else if (found === CHANGED) changes.change.push(findingRow(planned.get(key) as Finding, key));
      else if (refreshed) changes.touch.push(key);
    }
    return changes;
  }
}

/** Whether the plan changes a finding's row: its severity, message or since. */
function differs(current: OpenFinding, f: Finding): boolean {
  return current.severity !== f.severity || current.message !== f.message || (current.since ?? null) !== (f.since ?? null);
}

/**
 * The open findings once `changes` are written at `now`: the plan's own findings (so the store keeps
 * no copy of their text beside the one the pure core keeps for the next pass), last seen now when
 * the pass refreshed them all, else as old as before at the oldest.
 */
export function applyFindingChanges(changes: FindingChanges, now: string): OpenFindings {
  return { byKey: changes.planned, seenSinceMs: changes.refreshed ? Date.parse(now) : changes.seenSinceMs };
}

/**
 * The open findings as of a state version, kept by a store between the passes it applies. Only
 * applyPlan writes findings, and every applied plan and every import bumps the state version: when
 * the version a plan was computed from is the one this store's own last apply produced, nothing else
 * wrote in between and the remembered rows are current, so the pass need not read them back.
 */
export class OpenFindingsCache {
  private entry: { version: number; open: OpenFindings } | null = null;

  /** The open findings if they are known to be current at `version`, else null (read them). */
  at(version: number): OpenFindings | null {
    return this.entry && this.entry.version === version ? this.entry.open : null;
  }

  /** Records the open findings as of `version` (after a committed apply). */
  set(version: number, open: OpenFindings): void {
    this.entry = { version, open };
  }

  /** Forgets everything (a failed transaction: what was written is unknown). */
  clear(): void {
    this.entry = null;
  }
}

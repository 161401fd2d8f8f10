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
}

/**
 * Compares the plan's findings with the open ones and returns the writes that bring the table up to
 * date at `now`. Rows are built only for what is written: on a quiet pass over a large fleet that is
 * next to nothing. The stores run the result through their own statements; `open` is not changed.
 */
export function findingChanges(findings: readonly Finding[], open: OpenFindings, now: string, refreshMs = LAST_SEEN_REFRESH_MS): FindingChanges {
  const nowMs = Date.parse(now);
  const refreshed = !(nowMs - open.seenSinceMs < refreshMs);
  const planned = findingsByKey(findings);
  const changes: FindingChanges = { open: [], change: [], touch: [], resolve: [], planned, refreshed };
  for (const [key, f] of planned) {
    const current = open.byKey.get(key);
    if (!current) changes.open.push(findingRow(f, key));
    else if (current.severity !== f.severity || current.message !== f.message || (current.since ?? null) !== (f.since ?? null)) changes.change.push(findingRow(f, key));
    else if (refreshed) changes.touch.push(key);
  }
  for (const key of open.byKey.keys()) if (!planned.has(key)) changes.resolve.push(key);
  return changes;
}

/**
 * The open findings once `changes` are written at `now`: the plan's own findings (so the store keeps
 * no copy of their text beside the one the pure core keeps for the next pass), last seen now when
 * the pass refreshed them all, else as old as before at the oldest.
 */
export function applyFindingChanges(open: OpenFindings, changes: FindingChanges, now: string): OpenFindings {
  return { byKey: changes.planned, seenSinceMs: changes.refreshed ? Date.parse(now) : open.seenSinceMs };
}

/** Open findings as read from rows: the oldest readable `last_seen` (NaN if any is unreadable, or none is open). */
export function openFindingsFromRows(rows: Iterable<[key: string, finding: OpenFinding, lastSeen: string]>): OpenFindings {
  const byKey = new Map<string, OpenFinding>();
  let seenSinceMs = Infinity;
  for (const [key, finding, lastSeen] of rows) {
    byKey.set(key, finding);
    seenSinceMs = Math.min(seenSinceMs, Date.parse(lastSeen));
  }
  return { byKey, seenSinceMs: Number.isFinite(seenSinceMs) ? seenSinceMs : NaN };
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

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

/** What the store remembers of an open finding to decide whether a plan changes it. */
export interface OpenFinding {
  severity: string;
  since: string | null;
  message: string;
  /** `last_seen` in ms (NaN when unreadable): parsed once, compared on every pass. */
  lastSeenMs: number;
}

export interface FindingChanges {
  /** Not open now (never seen, or resolved before): inserted, or reopened with first seen = now. */
  open: FindingRow[];
  /** Open, and the plan changes its severity, message or since: rewritten with last seen = now. */
  change: FindingRow[];
  /** Open and unchanged, but last seen is older than the refresh period: last seen = now. */
  touch: string[];
  /** Open, and absent from the plan: resolved at now. */
  resolve: string[];
}

/**
 * Compares the plan's findings with the open ones and returns the writes that bring the table up to
 * date at `now`. Rows are built only for what is written: on a quiet pass over a large fleet that is
 * next to nothing. The stores run the result through their own statements. Writes nothing but this:
 * an unchanged open finding takes the plan's `severity`, `message` and `since` strings in place of its
 * own equal ones (read from the database, a string per row even for the two severities), so that what
 * a store remembers shares its text with the findings the pure core keeps for the next pass (at
 * 100,000 appliances, 300,000 findings: tens of MB).
 */
export function findingChanges(
  findings: readonly Finding[],
  open: ReadonlyMap<string, OpenFinding>,
  now: string,
  refreshMs = LAST_SEEN_REFRESH_MS,
): FindingChanges {
  const changes: FindingChanges = { open: [], change: [], touch: [], resolve: [] };
  const nowMs = Date.parse(now);
  const planned = findingsByKey(findings);
  for (const [key, f] of planned) {
    const current = open.get(key);
    if (!current) changes.open.push(findingRow(f, key));
    else if (current.severity !== f.severity || current.message !== f.message || current.since !== (f.since ?? null)) changes.change.push(findingRow(f, key));
    else {
      current.severity = f.severity;
      current.message = f.message;
      current.since = f.since ?? null;
      if (!(nowMs - current.lastSeenMs < refreshMs)) changes.touch.push(key);
    }
  }
  for (const key of open.keys()) if (!planned.has(key)) changes.resolve.push(key);
  return changes;
}

/**
 * Brings `open` (the open findings `changes` were computed against) up to date once they are written
 * at `now`. Updates the map in place: with 100,000 appliances it holds hundreds of thousands of
 * findings, and a copy per pass was most of the garbage a pass made.
 */
export function applyFindingChanges(open: Map<string, OpenFinding>, changes: FindingChanges, now: string): void {
  const nowMs = Date.parse(now);
  for (const row of changes.open) open.set(row.key, { severity: row.severity, since: row.since, message: row.message, lastSeenMs: nowMs });
  for (const row of changes.change) open.set(row.key, { severity: row.severity, since: row.since, message: row.message, lastSeenMs: nowMs });
  for (const key of changes.touch) {
    const current = open.get(key);
    if (current) current.lastSeenMs = nowMs;
  }
  for (const key of changes.resolve) open.delete(key);
}

/**
 * The open findings as of a state version, kept by a store between the passes it applies. Only
 * applyPlan writes findings, and every applied plan and every import bumps the state version: when
 * the version a plan was computed from is the one this store's own last apply produced, nothing else
 * wrote in between and the remembered rows are current, so the pass need not read them back.
 */
export class OpenFindingsCache {
  private entry: { version: number; open: Map<string, OpenFinding> } | null = null;

  /** The open findings if they are known to be current at `version`, else null (read them). */
  at(version: number): Map<string, OpenFinding> | null {
    return this.entry && this.entry.version === version ? this.entry.open : null;
  }

  /** Records the open findings as of `version` (after a committed apply). */
  set(version: number, open: Map<string, OpenFinding>): void {
    this.entry = { version, open };
  }

  /** Forgets everything (a failed transaction: what was written is unknown). */
  clear(): void {
    this.entry = null;
  }
}

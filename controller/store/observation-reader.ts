import type { ApplianceObservation, Assignment, RetentionReport, UpdateReport } from '../observed/state-schema.js';
import type { ApplianceRow, AssignmentRow } from './observed-document.js';

/**
 * Distinct texts (and strings) a reader keeps to share. Beyond this many, what an appliance reports is
 * most likely its own (a retention report's sizes and times): kept until the read ends, each would
 * only outlive the collector's young generation and be copied into the old one (at 100,000
 * appliances, 100,000 report texts: 30 MB of garbage there per read).
 */
export const MAX_SHARED = 4096;

/**
 * Builds the observations of one read of the whole fleet, sharing what appliances report alike: each
 * distinct `update` or `retention` JSON text is parsed once and the same object is given to every
 * appliance that reported it, and equal version strings are one string. A fleet mostly reports a
 * handful of versions and update states, so at 100,000 appliances this keeps a few objects in place
 * of 200,000 (less to allocate per pass, less for the collector to promote and scan). An assignment
 * read with it (see `assignment`) shares its appliance id with the appliance's observation and its
 * release and time with the assignments made alike. Sharing stops at MAX_SHARED distinct values of a
 * kind. The objects are shared: readers must not modify an observation (the pure core never does).
 *
 * One reader per read: it holds what it shares (and every appliance id) until it is dropped.
 */
export class ObservationReader {
  private readonly parsed = new Map<string, unknown>();
  private readonly strings = new Map<string, string>();
  /** The appliance ids read, so that assignments share them. */
  private readonly ids = new Map<string, string>();

  /** An appliance row as a State `appliances[]` entry, as applianceDocument builds it. */
  document(row: ApplianceRow): ApplianceObservation {
    // Built field by field so the keys come in schema order whichever are present.
    const doc = {
      id: this.id(row.id),
      lastCheckinAt: new Date(row.lastCheckinMs).toISOString(),
      agentVersion: this.string(row.agentVersion),
      imageVersion: this.string(row.imageVersion),
      update: this.json<UpdateReport>(row.update),
    } as ApplianceObservation;
    if (row.deferUntil !== null) doc.deferUntil = this.string(row.deferUntil);
    doc.retention = this.retention(row.retention);
    return doc;
  }

  /**
   * A retention report, its policy hash shared: reports mostly differ in their sizes and times, so
   * each is its own object, but the 64-character hash names one of a few policies.
   */
  private retention(text: string | null): RetentionReport | null {
    const report = this.json<RetentionReport>(text);
    // Setting an equal string on a report already handed out changes nothing a reader can see.
    if (report?.policyHash) report.policyHash = this.string(report.policyHash);
    return report;
  }

  /** An assignment row as a State `assignments[]` entry, `previous` only when set. */
  assignment(row: AssignmentRow): Assignment {
    const assignment: Assignment = { appliance: this.ids.get(row.appliance) ?? row.appliance, release: this.string(row.release), at: this.string(row.at) };
    if (row.previous !== null && row.previous !== 'null') assignment.previous = this.json<Assignment['previous']>(row.previous);
    return assignment;
  }

  private id(value: string): string {
    this.ids.set(value, value);
    return value;
  }

  /** `value`, or the equal string this reader met first (one string for many equal ones). */
  string<T extends string | null>(value: T): T {
    if (value === null) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known as T;
    if (this.strings.size < MAX_SHARED) this.strings.set(value, value);
    return value;
  }

  private json<T>(text: string | null): T | null {
    if (text === null) return null;
    let value = this.parsed.get(text);
    if (value === undefined) {
      value = JSON.parse(text) as unknown;
      if (this.parsed.size < MAX_SHARED) this.parsed.set(text, value);
    }
    return value as T;
  }
}

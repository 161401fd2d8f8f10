import type { ApplianceObservation, RetentionReport, UpdateReport } from '../observed/state-schema.js';
import type { ApplianceRow } from './observed-document.js';

/**
 * Builds the observations of one read of the whole fleet, sharing what appliances report alike: each
 * distinct `update` or `retention` JSON text is parsed once and the same object is given to every
 * appliance that reported it, and equal version strings are one string. A fleet mostly reports a
 * handful of versions and update states, so at 100,000 appliances this keeps a few objects in place
 * of 200,000 (less to allocate per pass, less for the collector to promote and scan). The objects are
 * shared: readers must not modify an observation (the pure core never does).
 *
 * One reader per read: it holds every distinct text it met until it is dropped.
 */
export class ObservationReader {
  private readonly parsed = new Map<string, unknown>();
  private readonly strings = new Map<string, string>();

  /** An appliance row as a State `appliances[]` entry, as applianceDocument builds it. */
  document(row: ApplianceRow): ApplianceObservation {
    // Built field by field so the keys come in schema order whichever are present.
    const doc = {
      id: row.id,
      lastCheckinAt: new Date(row.lastCheckinMs).toISOString(),
      agentVersion: this.string(row.agentVersion),
      imageVersion: this.string(row.imageVersion),
      update: this.json<UpdateReport>(row.update),
    } as ApplianceObservation;
    if (row.deferUntil !== null) doc.deferUntil = this.string(row.deferUntil);
    doc.retention = this.json<RetentionReport>(row.retention);
    return doc;
  }

  private string<T extends string | null>(value: T): T {
    if (value === null) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known as T;
    this.strings.set(value, value);
    return value;
  }

  private json<T>(text: string | null): T | null {
    if (text === null) return null;
    let value = this.parsed.get(text);
    if (value === undefined) {
      value = JSON.parse(text) as unknown;
      this.parsed.set(text, value);
    }
    return value as T;
  }
}

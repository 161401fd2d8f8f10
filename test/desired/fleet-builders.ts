import { stringify } from 'yaml';
import type { FleetFile } from '../../controller/desired/load.js';

/** One document of a kind, as YAML text. */
export function doc(kind: string, name: string, spec?: Record<string, unknown>, labels?: Record<string, string>): string {
  const metadata = labels ? { name, labels } : { name };
  return stringify({ apiVersion: 'muster.dev/v1alpha1', kind, metadata, ...(spec === undefined ? {} : { spec }) });
}

/** Several documents in one file. */
export function docs(...documents: string[]): string {
  return documents.join('---\n');
}

export const SHA = 'a'.repeat(64);

export function release(name: string, version = name.replace(/^v/, '')): string {
  return doc('Release', name, { version, image: { version, url: `https://updates.example.com/${name}.img`, sha256: SHA } });
}

export function rollout(name: string, spec: Record<string, unknown> = {}): string {
  return doc('Rollout', name, { release: name, stages: [{ percent: 100 }], ...spec });
}

export function appliance(name: string, labels?: Record<string, string>): string {
  return doc('Appliance', name, undefined, labels);
}

export function retention(name: string, spec: Record<string, unknown> = {}): string {
  return doc('RetentionPolicy', name, { incidents: { retainDays: 30 }, ...spec });
}

export function otsPolicy(name: string, spec: Record<string, unknown> = {}): string {
  return doc('OtsPolicy', name, { calendars: ['https://alice.btc.calendar.opentimestamps.org'], ...spec });
}

export function fleet(spec: Record<string, unknown> = {}): string {
  return doc('Fleet', 'main', spec);
}

/** `{path: content}` as the loader's file list. */
export function files(tree: Record<string, string>): FleetFile[] {
  return Object.entries(tree).map(([path, content]) => ({ path, content }));
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadFleetFiles } from '../../controller/desired/load.js';
import type { DesiredState } from '../../controller/desired/types.js';

/** A Release document; the image defaults to a placeholder URL and hash. */
export function releaseYaml(
  name: string,
  version: string,
  image: { version?: string; url?: string; sha256?: string; sizeBytes?: number } = {},
): string {
  return [
    'apiVersion: muster.dev/v1alpha1',
    'kind: Release',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  version: ${version}`,
    '  image:',
    `    version: "${image.version ?? version}"`,
    `    url: ${image.url ?? `https://updates.example.com/${version}.img`}`,
    `    sha256: ${image.sha256 ?? 'ab'.repeat(32)}`,
    ...(image.sizeBytes !== undefined ? [`    sizeBytes: ${image.sizeBytes}`] : []),
    '',
  ].join('\n');
}

/** A small fleet as inline files: a lab and two clinics, one release, one rollout, a retention policy. */
export function smallFleetFiles(options: { appliances?: string[]; rolloutExtra?: string } = {}): Record<string, string> {
  const appliances = options.appliances ?? ['lab-01', 'clinic-a-01', 'clinic-b-01'];
  return {
    'fleet.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: Fleet\nmetadata:\n  name: test\nspec:\n  checkinInterval: 30s\n  offlineAfter: 5m\n',
    'appliances.yaml': appliances
      .map((id) => `apiVersion: muster.dev/v1alpha1\nkind: Appliance\nmetadata:\n  name: ${id}\n  labels:\n    site: ${id.replace(/-\d+$/, '')}\n`)
      .join('---\n'),
    'releases/v1.0.51.yaml': releaseYaml('v1.0.51', '1.0.51', { version: '51', url: 'https://updates.example.com/v51.img' }),
    'rollouts/v1.0.51.yaml': [
      'apiVersion: muster.dev/v1alpha1',
      'kind: Rollout',
      'metadata:',
      '  name: v1.0.51',
      'spec:',
      '  release: v1.0.51',
      '  stages:',
      '    - percent: 50',
      '    - percent: 100',
      '  progressDeadline: 1h',
      options.rolloutExtra ?? '',
      '',
    ].join('\n'),
    'policies/retention.yaml': [
      'apiVersion: muster.dev/v1alpha1',
      'kind: RetentionPolicy',
      'metadata:',
      '  name: incidents-30d',
      'spec:',
      '  incidents:',
      '    retainDays: 30',
      '',
    ].join('\n'),
  };
}

/** The desired state of a fleet given as inline files; throws when they do not load (a test bug). */
export function desiredFrom(files: Record<string, string>, revision = 'test-revision'): DesiredState {
  const result = loadFleetFiles(
    Object.entries(files).map(([path, content]) => ({ path, content })),
    revision,
  );
  if (!result.ok) throw new Error(`test fleet does not load: ${JSON.stringify(result.errors)}`);
  return result.state;
}

/** Writes inline files under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SITES = ['lab', 'clinic-a', 'clinic-b', 'clinic-c', 'clinic-d', 'clinic-e', 'clinic-f', 'clinic-g'];

/** Ids of a generated fleet: `appliance-000001`…, spread over eight sites. */
export function benchApplianceIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `appliance-${String(i + 1).padStart(6, '0')}`);
}

/**
 * Writes a fleet repository of `count` appliances with one release, one rollout and a retention policy,
 * the shape of a production fleet as far as check-ins are concerned.
 */
export function writeBenchFleet(dir: string, count: number): string[] {
  const ids = benchApplianceIds(count);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fleet.yaml'), 'apiVersion: muster.dev/v1alpha1\nkind: Fleet\nmetadata:\n  name: bench\nspec:\n  checkinInterval: 60s\n');
  writeFileSync(
    join(dir, 'appliances.yaml'),
    ids
      .map((id, i) => `apiVersion: muster.dev/v1alpha1\nkind: Appliance\nmetadata:\n  name: ${id}\n  labels:\n    site: ${SITES[i % SITES.length]}\n`)
      .join('---\n'),
  );
  writeFileSync(
    join(dir, 'release.yaml'),
    `apiVersion: muster.dev/v1alpha1\nkind: Release\nmetadata:\n  name: v1.0.51\nspec:\n  version: 1.0.51\n  image:\n    version: "51"\n    url: https://updates.example.com/v51.img\n    sha256: ${'ab'.repeat(32)}\n`,
  );
  writeFileSync(
    join(dir, 'rollout.yaml'),
    'apiVersion: muster.dev/v1alpha1\nkind: Rollout\nmetadata:\n  name: v1.0.51\nspec:\n  release: v1.0.51\n  stages:\n    - percent: 5\n      soak: 1h\n    - percent: 100\n',
  );
  writeFileSync(
    join(dir, 'retention.yaml'),
    'apiVersion: muster.dev/v1alpha1\nkind: RetentionPolicy\nmetadata:\n  name: incidents-30d\nspec:\n  incidents:\n    retainDays: 30\n',
  );
  return ids;
}

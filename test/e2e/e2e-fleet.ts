import { releaseYaml } from '../helpers/fleet.js';
import { computeCohortOrder, stageSize } from '../../controller/reconcile/cohorts.js';

export const E2E_ROLLOUT = 'v1.0.51';
export const E2E_APPLIANCES = Array.from({ length: 12 }, (_, i) => `site-${i % 3}-${String(i + 1).padStart(2, '0')}`);

const release = (name: string, version: string) => releaseYaml(name, version, { sha256: 'cd'.repeat(32) });

/** The fleet before any rollout: one-second check-ins so an end-to-end run takes seconds. */
export function baseFleet(appliances: string[] = E2E_APPLIANCES): Record<string, string> {
  return {
    'fleet.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: Fleet\nmetadata:\n  name: e2e\nspec:\n  checkinInterval: 1s\n  offlineAfter: 10s\n',
    'appliances.yaml': appliances
      .map((id) => `apiVersion: muster.dev/v1alpha1\nkind: Appliance\nmetadata:\n  name: ${id}\n  labels:\n    site: ${id.slice(0, 6)}\n`)
      .join('---\n'),
    'releases/v1.0.49.yaml': release('v1.0.49', '1.0.49'),
    'releases/v1.0.51.yaml': release('v1.0.51', '1.0.51'),
  };
}

/** The rollout the test commits: three stages with a one-second soak, stuck after eight seconds. */
export function rolloutFile(extra = ''): Record<string, string> {
  return {
    'rollouts/v1.0.51.yaml': [
      'apiVersion: muster.dev/v1alpha1',
      'kind: Rollout',
      'metadata:',
      `  name: ${E2E_ROLLOUT}`,
      'spec:',
      '  release: v1.0.51',
      '  stages:',
      '    - percent: 25',
      '      soak: 1s',
      '    - percent: 50',
      '      soak: 1s',
      '    - percent: 100',
      '  progressDeadline: 8s',
      '  failurePolicy:',
      '    maxFailures: 2',
      '    action: pause',
      extra,
      '',
    ].join('\n'),
  };
}

/** An appliance that only joins the last stage, so the first two stages can complete around it. */
export function lastStageMember(appliances: string[] = E2E_APPLIANCES): string {
  const order = computeCohortOrder(E2E_ROLLOUT, appliances);
  return order[stageSize(50, appliances.length)] as string;
}

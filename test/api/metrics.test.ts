import { describe, expect, it } from 'vitest';
import { ControllerMetrics } from '../../controller/api/metrics.js';
import type { Plan } from '../../controller/reconcile/plan.js';

const plan = {
  appliances: [
    { id: 'a', status: 'succeeded' },
    { id: 'b', status: 'succeeded' },
    { id: 'c', status: 'stuck' },
  ],
  rollouts: [{ name: 'v1', phase: 'Stalled' }],
  findings: [
    { type: 'StuckAppliance', severity: 'warning' },
    { type: 'StuckAppliance', severity: 'warning' },
    { type: 'RolloutStalled', severity: 'warning' },
  ],
} as unknown as Plan;

describe('plan gauges', () => {
  it('count appliances by status, rollouts by phase and findings by type, replacing the previous plan', async () => {
    const metrics = new ControllerMetrics();
    metrics.observePlan({ ...plan, appliances: [{ id: 'x', status: 'pending' }] } as unknown as Plan);
    metrics.observePlan(plan);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/muster_appliances\{status="succeeded"\} 2/);
    expect(text).toMatch(/muster_appliances\{status="stuck"\} 1/);
    expect(text).not.toMatch(/status="pending"/);
    expect(text).toMatch(/muster_rollouts\{phase="Stalled"\} 1/);
    expect(text).toMatch(/muster_findings\{type="StuckAppliance",severity="warning"\} 2/);
  });
});

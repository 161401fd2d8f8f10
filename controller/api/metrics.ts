import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProofCounts } from '../observed/state-schema.js';
import type { Plan } from '../reconcile/plan.js';
import type { EvidenceMetricOutcome } from './evidence-route.js';

/** Every Prometheus metric the controller exports, on a registry of its own (tests run several). */
export class ControllerMetrics {
  readonly registry = new Registry();
  /** Every Muster metric that counts outcomes labels them `outcome`. */
  readonly checkins = new Counter({ name: 'muster_checkins_total', help: 'Check-ins by outcome', labelNames: ['outcome'], registers: [this.registry] });
  readonly checkinBatch = new Histogram({
    name: 'muster_checkin_batch_size',
    help: 'Check-ins written per group commit',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'muster_reconcile_duration_seconds',
    help: 'Time of one reconcile pass (read, plan, apply)',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly appliancesByStatus = new Gauge({ name: 'muster_appliances', help: 'Appliances by status in the latest plan', labelNames: ['status'], registers: [this.registry] });
  readonly rolloutsByPhase = new Gauge({ name: 'muster_rollouts', help: 'Rollouts by phase in the latest plan', labelNames: ['phase'], registers: [this.registry] });
  readonly findingsByType = new Gauge({ name: 'muster_findings', help: 'Open findings by type', labelNames: ['type', 'severity'], registers: [this.registry] });
  readonly sourceErrors = new Counter({ name: 'muster_source_errors_total', help: 'Revisions rejected or fetches failed', labelNames: ['kind'], registers: [this.registry] });
  readonly actionsApplied = new Counter({ name: 'muster_actions_applied_total', help: 'Plan actions applied', labelNames: ['type'], registers: [this.registry] });
  readonly workerHeap = new Gauge({
    name: 'muster_reconcile_worker_heap_bytes',
    help: "The reconcile worker's V8 heap as its latest pass ended, then after the full collection that follows each pass: used and committed",
    labelNames: ['state'],
    registers: [this.registry],
  });
  readonly leader = new Gauge({ name: 'muster_leader', help: '1 while this replica is the leader', registers: [this.registry] });
  readonly otsProofs = new Gauge({ name: 'muster_ots_proofs', help: 'OpenTimestamps proofs by status, as of the latest reconcile pass', labelNames: ['status'], registers: [this.registry] });
  readonly otsUpgradeAnswers = new Counter({
    name: 'muster_ots_upgrade_answers_total',
    help: 'Calendar answers to proof upgrades, by OtsPolicy calendar (other: a calendar not in the policy, not contacted) and outcome',
    labelNames: ['calendar', 'outcome'],
    registers: [this.registry],
  });
  readonly otsSubmissions = new Counter({ name: 'muster_ots_submissions_total', help: 'Evidence submissions (POST /v1/evidence) by outcome', labelNames: ['outcome'], registers: [this.registry] });

  /** With `defaultMetrics`, also the process and Node.js metrics of prom-client that pass promtool's lint. */
  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (!options.defaultMetrics) return;
    collectDefaultMetrics({ register: this.registry });
    // prom-client exports nodejs_active_handles_total, nodejs_active_requests_total and
    // nodejs_active_resources_total as gauges: a counter's suffix on a gauge, which `promtool check
    // metrics` rejects. The same counts stay available as nodejs_active_handles etc., summed by type.
    for (const metric of this.registry.getMetricsAsArray()) {
      if (metric.name.endsWith('_total') && !(metric instanceof Counter)) this.registry.removeSingleMetric(metric.name);
    }
  }

  /** Sets the gauges from a plan: what the fleet looks like now. */
  observePlan(plan: Plan): void {
    this.observePlanCounts(planCounts(plan));
  }

  /** Sets the gauges from a plan's counts (planCounts), as a reconcile worker sends them. */
  observePlanCounts(counts: PlanCounts): void {
    setGauge(this.appliancesByStatus, counts.appliancesByStatus);
    setGauge(this.rolloutsByPhase, counts.rolloutsByPhase);
    setGauge(this.findingsByType, counts.findingsByType);
  }

  /** Sets the proof gauge from the counts a pass read, less the proofs that pass then expired. */
  observeProofs(counts: ProofCounts, expiredByPass: number): void {
    const pending = counts.pending.reduce((n, b) => n + b.count, 0);
    this.otsProofs.set({ status: 'pending' }, Math.max(0, pending - expiredByPass));
    this.otsProofs.set({ status: 'expired' }, counts.expired + Math.min(pending, expiredByPass));
    this.otsProofs.set({ status: 'anchored' }, counts.anchored);
    this.otsProofs.set({ status: 'failed' }, counts.failed);
  }

  /** Counts one calendar answer of the upgrade job. */
  upgradeAnswer(calendar: string, outcome: string): void {
    this.otsUpgradeAnswers.inc({ calendar, outcome });
  }

  /** Counts one evidence submission. */
  submission(outcome: EvidenceMetricOutcome): void {
    this.otsSubmissions.inc({ outcome });
  }
}

/** How many appliances, rollouts and findings a plan has under each label set of the plan gauges. */
export interface PlanCounts {
  appliancesByStatus: LabelCount[];
  rolloutsByPhase: LabelCount[];
  findingsByType: LabelCount[];
}

/** One label set and how many items fall under it. */
export type LabelCount = [Record<string, string>, number];

/** A plan's counts for the gauges: small plain data, whatever the fleet's size. */
export function planCounts(plan: Plan): PlanCounts {
  return {
    appliancesByStatus: counted(plan.appliances, (a) => a.status, (a) => ({ status: a.status })),
    rolloutsByPhase: counted(plan.rollouts, (r) => r.phase, (r) => ({ phase: r.phase })),
    findingsByType: counted(plan.findings, (f) => `${f.type}/${f.severity}`, (f) => ({ type: f.type, severity: f.severity })),
  };
}

/**
 * How many items fall under each label set. A fleet has few label sets and many items, so items are
 * counted by a string key and label objects are made once per set, not once per item.
 */
function counted<T>(items: readonly T[], keyOf: (item: T) => string, labelsOf: (item: T) => Record<string, string>): LabelCount[] {
  const counts = new Map<string, { item: T; n: number }>();
  for (const item of items) {
    const key = keyOf(item);
    const entry = counts.get(key);
    if (entry) entry.n += 1;
    else counts.set(key, { item, n: 1 });
  }
  return [...counts.values()].map(({ item, n }) => [labelsOf(item), n]);
}

function setGauge(gauge: Gauge, counts: readonly LabelCount[]): void {
  gauge.reset();
  for (const [labels, n] of counts) gauge.set(labels, n);
}

import type { LoadError } from '../desired/types.js';
import type { Action } from '../reconcile/plan.js';
import type { PlanReport } from './report.js';
import { targetMoves } from './target-moves.js';

/**
 * The plan as one JSON document with a stable key order, so that two plans diff cleanly:
 * `revision, now, errors, rollouts, appliances, findings, actions, targetMoves` (each appliance
 * whose target the actions change: `{appliance, rollout, from, to, downgrade}`), and with a base
 * `base {ref, revision, errors}, changes, targetChanges`.
 */
export function planJson(report: PlanReport): Record<string, unknown> {
  const { plan } = report;
  const json: Record<string, unknown> = {
    revision: plan.revision,
    now: plan.now,
    errors: plan.errors.map(loadError),
    rollouts: plan.rollouts.map((r) => ({
      name: r.name,
      release: r.release,
      version: r.version,
      rollback: r.rollback,
      phase: r.phase,
      stage: r.stage,
      stages: r.stages,
      stageStartedAt: r.stageStartedAt,
      counts: { ...r.counts },
      conditions: r.conditions.map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime: c.lastTransitionTime })),
      message: r.message,
      revision: r.revision,
      ...(r.forecast ? { forecast: r.forecast } : {}),
    })),
    appliances: plan.appliances.map((a) => ({ id: a.id, target: a.target, rollout: a.rollout, status: a.status, reason: a.reason })),
    findings: plan.findings,
    actions: plan.actions.map(orderedAction),
    targetMoves: targetMoves(plan),
  };
  if (report.base) {
    json.base = { ref: report.base.ref, revision: report.base.revision, errors: report.base.errors.map(loadError) };
    json.changes = report.base.changes.map((c) => ({ kind: c.kind, name: c.name, field: c.field, from: c.from, to: c.to }));
    json.targetChanges = report.base.targetChanges.map((t) => ({ appliance: t.appliance, from: t.from, to: t.to }));
  }
  return json;
}

/** The JSON text `--format json` prints. */
export function renderJson(report: PlanReport): string {
  return `${JSON.stringify(planJson(report), null, 2)}\n`;
}

function loadError(e: LoadError): LoadError {
  return { file: e.file, line: e.line, column: e.column, path: e.path, message: e.message };
}

function orderedAction(a: Action): Action {
  switch (a.type) {
    case 'AssignRelease':
      return {
        type: a.type,
        appliance: a.appliance,
        release: a.release,
        rollout: a.rollout,
        ...(a.previous ? { previous: { rollout: a.previous.rollout, release: a.previous.release } } : {}),
        ...(a.downgrade ? { downgrade: true } : {}),
      };
    case 'WithdrawRelease':
      return {
        type: a.type,
        appliance: a.appliance,
        rollout: a.rollout,
        ...(a.release !== undefined ? { release: a.release } : {}),
        ...(a.restores !== undefined ? { restores: a.restores && { rollout: a.restores.rollout, release: a.restores.release } } : {}),
      };
    case 'AdvanceStage':
      return { type: a.type, rollout: a.rollout, from: a.from, to: a.to, startedAt: a.startedAt };
    case 'SetPhase':
      return { type: a.type, rollout: a.rollout, phase: a.phase, from: a.from, ...(a.latch !== undefined ? { latch: a.latch } : {}) };
    case 'ExpireProofs':
      return { type: a.type, count: a.count, olderThan: a.olderThan };
  }
}

import { isDeepStrictEqual } from 'node:util';
import type { RolloutStatusDocument } from '../desired/schema/rollout-status.js';
import type { RolloutStatus } from '../reconcile/plan.js';
import { errorCode, type KubeApi, type KubeObject } from './kube-api.js';

/** A rollout's status as its Rollout resource carries it, for the object's `generation`. */
export function rolloutStatusDocument(status: RolloutStatus, generation: number | undefined): RolloutStatusDocument {
  const observed = generation === undefined ? {} : { observedGeneration: generation };
  return {
    ...observed,
    phase: status.phase,
    release: status.release,
    stage: status.stage,
    stages: status.stages,
    counts: { ...status.counts },
    conditions: status.conditions.map((c) => ({ ...c, ...observed })),
    message: status.message,
    revision: status.revision,
  };
}

/** What one write did, for logs and tests. */
export interface StatusWriteReport {
  written: string[];
  failed: { name: string; code: number | null; message: string }[];
}

/**
 * Writes each Rollout's status subresource with a JSON merge patch, only where the status differs
 * from both what the cluster last showed and what this writer last wrote. A 409 is retried once at
 * once; any other failure (403 when RBAC lacks `patch rollouts/status`, 404 when the Rollout went
 * away) is reported and retried on the next plan.
 */
export class RolloutStatusWriter {
  private readonly written = new Map<string, RolloutStatusDocument>();
  lastReport: StatusWriteReport = { written: [], failed: [] };

  constructor(
    private readonly api: KubeApi,
    private readonly current: (name: string) => KubeObject | undefined,
  ) {}

  async write(statuses: readonly RolloutStatus[]): Promise<StatusWriteReport> {
    const report: StatusWriteReport = { written: [], failed: [] };
    for (const status of statuses) {
      const object = this.current(status.name);
      // A rollout of a saved desired state the cluster no longer holds: nothing to write to.
      if (!object) continue;
      const document = rolloutStatusDocument(status, object.metadata?.generation);
      if (isDeepStrictEqual(this.written.get(status.name), document) || isDeepStrictEqual(object.status, document)) continue;
      try {
        await this.patch(status.name, document);
        this.written.set(status.name, document);
        report.written.push(status.name);
      } catch (err) {
        this.written.delete(status.name);
        report.failed.push({ name: status.name, code: errorCode(err), message: err instanceof Error ? err.message : String(err) });
      }
    }
    this.lastReport = report;
    return report;
  }

  private async patch(name: string, document: RolloutStatusDocument): Promise<void> {
    try {
      await this.api.patchStatus('rollouts', name, document);
    } catch (err) {
      if (errorCode(err) !== 409) throw err;
      await this.api.patchStatus('rollouts', name, document);
    }
  }
}

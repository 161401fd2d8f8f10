import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { rolloutStatusDocument } from '../../controller/kubernetes/status-writer.js';
import { ROLLOUT_PHASES } from '../../controller/observed/state-schema.js';
import { rolloutConditions } from '../../controller/reconcile/conditions.js';

type Version = { subresources?: { status?: object }; additionalPrinterColumns?: { name: string; jsonPath: string }[]; schema: { openAPIV3Schema: { properties: Record<string, object> } } };
const crd = parse(readFileSync('crds/rollouts.yaml', 'utf8')) as { spec: { versions: Version[] } };
const version = crd.spec.versions[0] as Version;

describe('the Rollout CRD', () => {
  it('has a status subresource and the columns kubectl get prints', () => {
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns?.map((c) => [c.name.toUpperCase(), c.jsonPath])).toEqual([
      ['PHASE', '.status.phase'],
      ['STAGE', '.status.stage'],
      ['SUCCEEDED', '.status.counts.succeeded'],
      ['STUCK', '.status.counts.stuck'],
      ['AGE', '.metadata.creationTimestamp'],
    ]);
  });

  it('accepts every status the controller writes', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    const validate = ajv.compile(version.schema.openAPIV3Schema.properties.status as object);
    for (const phase of ROLLOUT_PHASES) {
      const conditions = rolloutConditions({ phase, decision: { kind: 'active', release: true }, pendingReason: 'WaitingForWindow', message: 'm', observed: undefined, nowIso: '2026-12-04T00:00:00.000Z' });
      const status = rolloutStatusDocument(
        { name: 'v1', release: 'v1', version: '1.0.0', rollback: false, phase, stage: 1, stages: 3, stageStartedAt: '2026-12-04T00:00:00.000Z', counts: { targeted: 3, pending: 1, updating: 0, succeeded: 1, failed: 0, stuck: 1 }, conditions, message: 'm', revision: 'kubernetes:0123456789abcdef' },
        4,
      );
      expect(validate(status), `${phase}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});

import { Type, type Static } from '@sinclair/typebox';
import { ROLLOUT_PHASES } from '../../observed/state-schema.js';
import { StringEnum } from './common.js';

const Count = Type.Integer({ minimum: 0 });
const Generation = Type.Integer({ minimum: 0, description: 'The metadata.generation this status was computed from' });

/** A kstatus condition (`Ready`, `Reconciling`, `Stalled`), with the generation it describes. */
export const RolloutStatusCondition = Type.Object({
  type: Type.String({ minLength: 1 }),
  status: StringEnum(['True', 'False', 'Unknown']),
  reason: Type.String(),
  message: Type.String(),
  lastTransitionTime: Type.String({ format: 'date-time' }),
  observedGeneration: Type.Optional(Generation),
});

/**
 * The status subresource of a Rollout, written by the controller so `kubectl get rollouts` and
 * GitOps health checks show progress. The same fields as a rollout in `muster plan --format json`.
 */
export const RolloutStatusDocument = Type.Object({
  observedGeneration: Type.Optional(Generation),
  phase: StringEnum(ROLLOUT_PHASES),
  release: Type.String(),
  /** 1-based current stage and the number of stages. */
  stage: Type.Integer({ minimum: 0 }),
  stages: Type.Integer({ minimum: 0 }),
  counts: Type.Object({ targeted: Count, pending: Count, updating: Count, succeeded: Count, failed: Count, stuck: Count }),
  conditions: Type.Array(RolloutStatusCondition),
  message: Type.String(),
  /** The desired-state revision the status was computed from. */
  revision: Type.String(),
});

export type RolloutStatusDocument = Static<typeof RolloutStatusDocument>;

/** `kubectl get` columns for a kind: name, JSONPath, type. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  jsonPath: string;
  description?: string;
}

/** What a kind's CRD gains beyond its spec: a status subresource and the columns `kubectl get` prints. */
export interface KindStatus {
  schema: typeof RolloutStatusDocument;
  columns: PrinterColumn[];
}

/** The kinds whose status the controller writes, by kind name. */
export const KIND_STATUS: ReadonlyMap<string, KindStatus> = new Map([
  [
    'Rollout',
    {
      schema: RolloutStatusDocument,
      columns: [
        { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
        { name: 'Stage', type: 'integer', jsonPath: '.status.stage', description: 'Current stage, 1-based' },
        { name: 'Succeeded', type: 'integer', jsonPath: '.status.counts.succeeded' },
        { name: 'Stuck', type: 'integer', jsonPath: '.status.counts.stuck' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
]);

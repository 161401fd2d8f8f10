import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { Labels, Name, StringEnum, StringMap } from './common.js';
import { FleetSpec } from './fleet.js';
import { NotifierSpec } from './notifier.js';
import { OtsPolicySpec } from './ots-policy.js';
import { ReleaseSpec } from './release.js';
import { RetentionPolicySpec } from './retention-policy.js';
import { RolloutSpec } from './rollout.js';

export const API_GROUP = 'muster.dev';
export const API_VERSION = 'v1alpha1';
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

export type KindName = 'Fleet' | 'Appliance' | 'Release' | 'Rollout' | 'RetentionPolicy' | 'OtsPolicy' | 'Notifier';

export interface KindDefinition {
  kind: KindName;
  plural: string;
  shortNames: string[];
  /** The spec's schema; null for Appliance, which is metadata alone. */
  spec: TObject | null;
  /** At most one object of this kind per repository. */
  singleton: boolean;
  description: string;
}

/** Every kind Muster understands, in the order `validate` and `plan` list them. */
export const KINDS: readonly KindDefinition[] = [
  { kind: 'Fleet', plural: 'fleets', shortNames: [], spec: FleetSpec, singleton: true, description: 'Fleet-wide check-in settings' },
  { kind: 'Appliance', plural: 'appliances', shortNames: ['app'], spec: null, singleton: false, description: 'An appliance that may check in; its name is its id' },
  { kind: 'Release', plural: 'releases', shortNames: ['rel'], spec: ReleaseSpec, singleton: false, description: 'A release an appliance can run' },
  { kind: 'Rollout', plural: 'rollouts', shortNames: ['ro'], spec: RolloutSpec, singleton: false, description: 'A staged rollout of a release' },
  { kind: 'RetentionPolicy', plural: 'retentionpolicies', shortNames: ['retention'], spec: RetentionPolicySpec, singleton: false, description: 'Data retention on appliances' },
  { kind: 'OtsPolicy', plural: 'otspolicies', shortNames: ['ots'], spec: OtsPolicySpec, singleton: true, description: 'OpenTimestamps proof lifecycle' },
  { kind: 'Notifier', plural: 'notifiers', shortNames: ['notify'], spec: NotifierSpec, singleton: false, description: 'Where and what to tell about findings and rollouts' },
];

export const KIND_BY_NAME: ReadonlyMap<string, KindDefinition> = new Map(KINDS.map((k) => [k.kind, k]));

export const ObjectMetadata = Type.Object(
  {
    name: Name('Unique per kind; a DNS subdomain such as v1.0.51'),
    labels: Type.Optional(Labels),
    annotations: Type.Optional(StringMap(Type.String())),
  },
  { additionalProperties: false },
);

/** The whole document schema of one kind: apiVersion, kind, metadata and (except Appliance) spec. */
export function documentSchema(def: KindDefinition): TSchema {
  const base = {
    apiVersion: StringEnum([API_GROUP_VERSION]),
    kind: StringEnum([def.kind]),
    metadata: ObjectMetadata,
  };
  return def.spec
    ? Type.Object({ ...base, spec: def.spec }, { additionalProperties: false })
    : Type.Object(base, { additionalProperties: false });
}

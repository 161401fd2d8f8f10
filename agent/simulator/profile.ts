import { isBehaviour, BEHAVIOURS, type Behaviour } from './behaviours.js';
import type { Running } from '../update/decide.js';

/** Which behaviour each simulated appliance has: exact ids first, then patterns in file order, then the default. */
export interface SimulatorProfile {
  default: Behaviour;
  rules: { pattern: string; behaviour: Behaviour }[];
  /** What every simulated appliance runs when it starts. */
  initialVersion?: Running;
}

export const DEFAULT_PROFILE: SimulatorProfile = { default: 'healthy', rules: [] };

/**
 * Reads a profile file's JSON: `{"default": "healthy", "appliances": {"clinic-b-*": "slow-download",
 * "vm-01": "offline"}, "initialVersion": {"agentVersion": "1.0.45", "imageVersion": "45"}}`.
 * Patterns use `*` (any run of characters) and `?` (one character). Problems are returned, not thrown.
 */
export function parseProfile(json: unknown): { profile: SimulatorProfile } | { errors: string[] } {
  const errors: string[] = [];
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { errors: ['the profile must be a JSON object'] };
  const doc = json as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (!['default', 'appliances', 'initialVersion'].includes(key)) errors.push(`unknown field "${key}"`);
  }
  const fallback = doc.default ?? 'healthy';
  if (!isBehaviour(fallback)) errors.push(`default: "${String(fallback)}" is not one of ${BEHAVIOURS.join(', ')}`);
  const rules: SimulatorProfile['rules'] = [];
  const appliances = doc.appliances ?? {};
  if (appliances === null || typeof appliances !== 'object' || Array.isArray(appliances)) {
    errors.push('appliances: must map appliance ids or patterns to behaviours');
  } else {
    for (const [pattern, behaviour] of Object.entries(appliances)) {
      if (isBehaviour(behaviour)) rules.push({ pattern, behaviour });
      else errors.push(`appliances["${pattern}"]: "${String(behaviour)}" is not one of ${BEHAVIOURS.join(', ')}`);
    }
  }
  const initial = parseInitialVersion(doc.initialVersion, errors);
  if (errors.length || !isBehaviour(fallback)) return { errors };
  return { profile: { default: fallback, rules, ...(initial ? { initialVersion: initial } : {}) } };
}

function parseInitialVersion(value: unknown, errors: string[]): Running | undefined {
  if (value === undefined) return undefined;
  const v = value as Record<string, unknown> | null;
  if (v === null || typeof v !== 'object' || typeof v.agentVersion !== 'string') {
    errors.push('initialVersion: expected {"agentVersion": "…", "imageVersion": "…"}');
    return undefined;
  }
  return { agentVersion: v.agentVersion, imageVersion: typeof v.imageVersion === 'string' ? v.imageVersion : null };
}

/** The behaviour `profile` gives appliance `id`. */
export function behaviourFor(profile: SimulatorProfile, id: string): Behaviour {
  const exact = profile.rules.find((r) => r.pattern === id);
  if (exact) return exact.behaviour;
  return profile.rules.find((r) => globMatches(r.pattern, id))?.behaviour ?? profile.default;
}

function globMatches(pattern: string, id: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(id);
}

import type { Release, Rollout } from '../desired/types.js';
import type { RolloutObservation } from '../observed/state-schema.js';
import { compareVersions, normalizeVersion } from './versions.js';

/**
 * A rollout as ranking sees it: one declared in the repository, or one the observed state still
 * holds after its file was removed (`spec` null).
 */
export interface RankedRollout {
  name: string;
  release: string;
  /** The release's version, normalized when it is semver; '' when nothing says what it is. */
  version: string;
  rollback: boolean;
  spec: Rollout | null;
  observed: RolloutObservation | null;
}

/**
 * Rank order, highest first: rollbacks before the rest, then the newer release's version, then the
 * name sorting last. A higher-ranked rollout may claim the members of a lower-ranked one; never the
 * reverse.
 */
export function compareRank(a: RankedRollout, b: RankedRollout): number {
  if (a.rollback !== b.rollback) return a.rollback ? -1 : 1;
  return compareVersions(b.version, a.version) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
}

/**
 * Every rollout of a pass, highest rank first: the declared ones, and the observed ones no longer
 * declared. A removed rollout ranks as a rollout of its release that is not a rollback (so a newer
 * release can move on from a finished rollback): its release is the one it recorded, else its
 * assignments'; its version the one it recorded, else the declared Release's. A removed rollout
 * with neither a recorded release nor an assignment targets nothing and is left out.
 */
export function rankRollouts(
  declared: readonly Rollout[],
  releases: ReadonlyMap<string, Release>,
  observed: ReadonlyMap<string, RolloutObservation>,
): RankedRollout[] {
  const ranked: RankedRollout[] = declared.map((spec) => ({
    name: spec.name,
    release: spec.release,
    version: versionOf(releases.get(spec.release)?.version),
    rollback: spec.rollback,
    spec,
    observed: observed.get(spec.name) ?? null,
  }));
  const names = new Set(declared.map((r) => r.name));
  for (const r of observed.values()) {
    if (names.has(r.name)) continue;
    const release = r.release ?? r.assignments[0]?.release;
    if (release === undefined) continue;
    const version = versionOf(r.version ?? releases.get(release)?.version);
    ranked.push({ name: r.name, release, version, rollback: false, spec: null, observed: r });
  }
  return ranked.sort(compareRank);
}

function versionOf(text: string | undefined): string {
  if (text === undefined) return '';
  return normalizeVersion(text) ?? text;
}

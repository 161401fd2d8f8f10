import { hash } from 'node:crypto';

/** The key that orders an appliance within a rollout: `sha256(rolloutName + "/" + applianceId)` in hex. */
export function cohortKey(rollout: string, applianceId: string): string {
  // crypto.hash is the one-shot form of createHash: same digest, a fraction of the cost per call.
  return hash('sha256', `${rollout}/${applianceId}`, 'hex');
}

/**
 * How many appliances of the cohort order a stage covers: `max(1, ceil(percent × eligible / 100))`,
 * and none when nothing is eligible. Integer arithmetic, so 100% is always the whole set.
 */
export function stageSize(percent: number, eligible: number): number {
  if (eligible <= 0) return 0;
  return Math.min(eligible, Math.max(1, Math.floor((percent * eligible + 99) / 100)));
}

/**
 * The cohort order of `eligible` as a permutation: `perm[k]` is the index in `eligible` of the k-th
 * appliance in `sha256(rollout + "/" + id)` hex order. Each key's leading bits and the appliance's
 * index are packed into one double, so a native numeric sort does the work; appliances whose
 * leading bits collide are then put in full-key order.
 */
export function cohortPermutation(rollout: string, eligible: readonly string[], maxPrefixBits = 52): Int32Array {
  return permutationOf(rollout, eligible.length, (k) => eligible[k] as string, maxPrefixBits);
}

/** The cohort order of the appliances at `positions` among `ids`, as a permutation of `positions` (see cohortPermutation). */
export function cohortPermutationAt(rollout: string, ids: readonly string[], positions: Int32Array): Int32Array {
  return permutationOf(rollout, positions.length, (k) => ids[positions[k] as number] as string, 52);
}

function permutationOf(rollout: string, n: number, idAt: (k: number) => string, maxPrefixBits: number): Int32Array {
  const indexBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  // `maxPrefixBits` only lets a test force collisions.
  const prefixBits = Math.min(maxPrefixBits, 52 - indexBits);
  const slots = 2 ** indexBits;
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = prefixOf(cohortKey(rollout, idAt(i)), prefixBits) * slots + i;
  packed.sort();
  const perm = new Int32Array(n);
  for (let k = 0; k < n; k++) perm[k] = (packed[k] as number) % slots;
  // Equal prefixes (rare) are ordered by their whole keys.
  for (let start = 0; start < n; ) {
    let end = start + 1;
    const prefix = Math.floor((packed[start] as number) / slots);
    while (end < n && Math.floor((packed[end] as number) / slots) === prefix) end++;
    if (end - start > 1) {
      const run = Array.from(perm.subarray(start, end)).map((i) => ({ i, key: cohortKey(rollout, idAt(i)) }));
      run.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      run.forEach((r, k) => (perm[start + k] = r.i));
    }
    start = end;
  }
  return perm;
}

/** The eligible ids in cohort order, hashing every one: the reference the cache must agree with. */
export function computeCohortOrder(rollout: string, eligible: readonly string[]): string[] {
  return Array.from(cohortPermutation(rollout, eligible), (i) => eligible[i] as string);
}

// The first `bits` bits of a hex key as a number (bits ≤ 52, exact in a double).
function prefixOf(hex: string, bits: number): number {
  const digits = Math.ceil(bits / 4);
  return Math.floor(parseInt(hex.slice(0, digits), 16) / 2 ** (digits * 4 - bits));
}

/**
 * Merging a calendar's answer into a proof: the answer is a timestamp that starts at a commitment,
 * and it is grafted onto the node of the proof where that commitment is pending.
 */
import { attestationTag } from './attestations.js';
import { bytesEqual, type OtsError } from './bytes.js';
import { parseDetached, parseTimestamp, serializeDetached, type Timestamp, type TimestampItem } from './codec.js';
import { isAnchored, walk } from './commitments.js';
import type { Op } from './ops.js';

export type MergeResult = { ok: true; proof: Uint8Array; anchored: boolean } | { ok: false; reason: string };

/**
 * The proof bytes with `answer` (a bare timestamp starting at `commitment`, as a calendar returns
 * it) merged in at the pending attestation whose commitment that is. Operations and attestations
 * the proof already holds are not repeated; the pending attestation is kept. Returns a reason,
 * never throws, when either input is unreadable, the commitment is not pending in the proof, or
 * the merged proof would exceed the format's limits.
 */
export function mergeUpgrade(proof: Uint8Array, commitment: Uint8Array, answer: Uint8Array): MergeResult {
  const parsed = parseDetached(proof);
  if (!parsed.ok) return { ok: false, reason: `proof: ${describe(parsed.error)}` };
  const upgrade = parseTimestamp(answer, commitment.length);
  if (!upgrade.ok) return { ok: false, reason: `answer: ${describe(upgrade.error)}` };

  const { digest, timestamp } = parsed.value;
  let target: Timestamp | undefined;
  walk(timestamp, digest, (attestation, msg, node) => {
    if (!target && attestation.type === 'pending' && bytesEqual(msg, commitment)) target = node;
  });
  if (!target) return { ok: false, reason: 'no pending attestation in the proof has this commitment' };

  mergeTimestamps(target, upgrade.value);
  const merged = serializeDetached(parsed.value);
  // The graft can push depth, size or replay cost past the format's limits: re-read to be sure.
  const check = parseDetached(merged);
  if (!check.ok) return { ok: false, reason: `merged proof exceeds the format's limits: ${describe(check.error)}` };
  return { ok: true, proof: merged, anchored: isAnchored(check.value.timestamp) };
}

/**
 * Adds `from`'s branches to `into` (both start at the same message), in place: equal operations are
 * followed and merged, equal attestations skipped, anything new appended after what `into` holds.
 */
export function mergeTimestamps(into: Timestamp, from: Timestamp): void {
  for (const item of from.items) {
    const same = into.items.find((mine) => sameEdge(mine, item));
    if (!same) into.items.push(item);
    else if (same.kind === 'op' && item.kind === 'op') mergeTimestamps(same.next, item.next);
  }
}

function sameEdge(a: TimestampItem, b: TimestampItem): boolean {
  if (a.kind === 'attestation' && b.kind === 'attestation') {
    const x = a.attestation;
    const y = b.attestation;
    return bytesEqual(attestationTag(x), attestationTag(y)) && bytesEqual(x.payload, y.payload);
  }
  return a.kind === 'op' && b.kind === 'op' && sameOp(a.op, b.op);
}

function sameOp(a: Op, b: Op): boolean {
  if (a.name !== b.name) return false;
  return !('arg' in a) || !('arg' in b) || bytesEqual(a.arg, b.arg);
}

function describe(e: OtsError): string {
  return `${e.reason} at byte ${e.offset}`;
}

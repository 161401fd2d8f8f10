/**
 * Commitments: the message at each attestation, found by replaying every operation from the
 * digest. For a pending attestation that message is what the calendar stamped and the only thing
 * it can be asked about; for a Bitcoin attestation it must equal the block's merkle root.
 */
import type { Attestation } from './attestations.js';
import type { Timestamp } from './codec.js';
import { applyOp } from './ops.js';

/** An attestation and the message it attests to. */
export interface AttestationAt {
  attestation: Attestation;
  /** The message at the attestation: every operation on the path from the digest applied. */
  commitment: Uint8Array;
}

/**
 * Every attestation of `timestamp`, in file order, with its commitment: the operations on its
 * branch replayed from `start` (the file digest for a detached file). The tree was bounded when
 * parsed (depth, message lengths, replay cost), so this always terminates quickly.
 */
export function attestationsWithCommitments(start: Uint8Array, timestamp: Timestamp): AttestationAt[] {
  const out: AttestationAt[] = [];
  walk(timestamp, start, (attestation, commitment) => out.push({ attestation, commitment }));
  return out;
}

/** Calls `visit` for each attestation of `t` with the message at it, depth first in file order. */
export function walk(t: Timestamp, msg: Uint8Array, visit: (a: Attestation, msg: Uint8Array, node: Timestamp) => void): void {
  for (const item of t.items) {
    if (item.kind === 'attestation') visit(item.attestation, msg, t);
    else walk(item.next, applyOp(item.op, msg), visit);
  }
}

/** The pending attestations of a proof: each calendar URI with the commitment to ask it about. */
export function pendingCommitments(start: Uint8Array, timestamp: Timestamp): { uri: string; commitment: Uint8Array }[] {
  return attestationsWithCommitments(start, timestamp).flatMap(({ attestation, commitment }) =>
    attestation.type === 'pending' ? [{ uri: attestation.uri, commitment }] : [],
  );
}

/** True once the proof holds a Bitcoin block-header attestation; unknown attestations do not count. */
export function isAnchored(timestamp: Timestamp): boolean {
  return timestamp.items.some((item) =>
    item.kind === 'attestation' ? item.attestation.type === 'bitcoin' : isAnchored(item.next),
  );
}

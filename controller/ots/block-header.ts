/**
 * Checking a Bitcoin attestation against a block header: the message at the attestation must be
 * the block's merkle root, in the header's own (internal) byte order.
 */
import { bytesEqual, toHex } from './bytes.js';

/** The parts of a Bitcoin block header a verification needs. */
export interface BlockHeader {
  /** Merkle root in internal byte order (as in the 80-byte header, not as block explorers print it). */
  merkleRoot: Uint8Array;
  /** Block time, seconds since the epoch. */
  time?: number;
}

export type HeaderCheck = { ok: true; time?: number } | { ok: false; reason: string };

const HEADER_LENGTH = 80;

/** The merkle root and time of a raw 80-byte block header, or why it is not one. */
export function parseBlockHeader(raw: Uint8Array): BlockHeader | { error: string } {
  if (raw.length !== HEADER_LENGTH) return { error: `a block header is ${HEADER_LENGTH} bytes, got ${raw.length}` };
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  // Layout: version(4) previous block(32) merkle root(32) time(4, little endian) bits(4) nonce(4).
  return { merkleRoot: raw.slice(36, 68), time: view.getUint32(68, true) };
}

/**
 * Whether the message at a Bitcoin attestation is the merkle root of `header` (a raw 80-byte header
 * or its parsed parts). On success returns the block time when known; never throws.
 */
export function verifyAgainstBlockHeader(attestationMessage: Uint8Array, header: BlockHeader | Uint8Array): HeaderCheck {
  const parsed = header instanceof Uint8Array ? parseBlockHeader(header) : header;
  if ('error' in parsed) return { ok: false, reason: parsed.error };
  if (attestationMessage.length !== 32) {
    return { ok: false, reason: `a Bitcoin attestation commits to 32 bytes, got ${attestationMessage.length}` };
  }
  if (!bytesEqual(attestationMessage, parsed.merkleRoot)) {
    return {
      ok: false,
      reason: `message ${toHex(attestationMessage)} is not the block's merkle root ${toHex(parsed.merkleRoot)}`,
    };
  }
  return parsed.time === undefined ? { ok: true } : { ok: true, time: parsed.time };
}

/**
 * Reading and writing OpenTimestamps proofs: detached timestamp files (`.ots`) and bare timestamps
 * (what a calendar answers), exactly as the format defines them. Parsing keeps the file's order of
 * branches and the attestations' bytes, so serializing a parsed proof gives back the same bytes.
 */
import { readAttestation, writeAttestation, type Attestation } from './attestations.js';
import { ByteReader, ByteWriter, bytesEqual, decodeWith, type Decoded } from './bytes.js';
import {
  DIGEST_LENGTH,
  MAX_MSG_LENGTH,
  OP_TAG,
  isBinaryOp,
  isHashOp,
  opCost,
  opNameForTag,
  opResultLength,
  type HashOpName,
  type Op,
} from './ops.js';

export const HEADER_MAGIC = new Uint8Array(
  Buffer.from('\x00OpenTimestamps\x00\x00Proof\x00\xbf\x89\xe2\xe8\x84\xe8\x92\x94', 'latin1'),
);
export const MAJOR_VERSION = 1;
/** Nesting of operations, as in the reference implementation (its recursion limit). */
export const MAX_DEPTH = 256;
/** Largest proof accepted; real ones are a few KiB, this bounds memory for hostile input. */
export const MAX_PROOF_BYTES = 128 * 1024;
/** Most bytes that replaying every operation of one proof may hash or copy; bounds time for hostile input. */
export const MAX_REPLAY_COST = 32 * 1024 * 1024;

/** A node of the proof tree: its branches in file order (at least one). */
export interface Timestamp {
  items: TimestampItem[];
}

export type TimestampItem = { kind: 'attestation'; attestation: Attestation } | { kind: 'op'; op: Op; next: Timestamp };

/** A detached timestamp file: how the file was hashed, its digest, and the proof from that digest. */
export interface DetachedTimestamp {
  fileHashOp: HashOpName;
  digest: Uint8Array;
  timestamp: Timestamp;
}

/** Reads a `.ots` file. Malformed input is an error value with the byte offset, never a throw. */
export function parseDetached(bytes: Uint8Array): Decoded<DetachedTimestamp> {
  return decodeWith(() => {
    const r: ByteReader = new ByteReader(bytes); // declared type: lets `r.fail` narrow
    if (bytes.length > MAX_PROOF_BYTES) r.fail(`proof is ${bytes.length} bytes, more than the ${MAX_PROOF_BYTES} accepted`, 0);
    const magic = bytes.subarray(0, HEADER_MAGIC.length);
    if (!bytesEqual(magic, HEADER_MAGIC.subarray(0, magic.length))) r.fail('not an OpenTimestamps proof: bad magic header', 0);
    r.bytes(HEADER_MAGIC.length, 'header');
    const versionAt = r.pos;
    const version = r.varuint('major version');
    if (version !== MAJOR_VERSION) r.fail(`unsupported major version ${version}`, versionAt);
    const opAt = r.pos;
    const tag = r.byte('file hash operation');
    const name = opNameForTag(tag);
    if (name === undefined || !isHashOp(name)) r.fail(`file hash operation 0x${hex2(tag)} is not a hash`, opAt);
    const digest = r.bytes(DIGEST_LENGTH[name], 'file digest');
    const timestamp = readTimestamp(r, digest.length, 0, { left: MAX_REPLAY_COST });
    r.assertEof('the timestamp');
    return { fileHashOp: name, digest, timestamp };
  });
}

/**
 * Reads a bare timestamp that starts at a message of `startLength` bytes (a calendar's answer
 * starts at the digest submitted or the commitment asked about).
 */
export function parseTimestamp(bytes: Uint8Array, startLength: number): Decoded<Timestamp> {
  return decodeWith(() => {
    const r: ByteReader = new ByteReader(bytes); // declared type: lets `r.fail` narrow
    if (bytes.length > MAX_PROOF_BYTES) r.fail(`timestamp is ${bytes.length} bytes, more than the ${MAX_PROOF_BYTES} accepted`, 0);
    if (startLength > MAX_MSG_LENGTH) r.fail(`start message of ${startLength} bytes too long (max ${MAX_MSG_LENGTH})`, 0);
    const timestamp = readTimestamp(r, startLength, 0, { left: MAX_REPLAY_COST });
    r.assertEof('the timestamp');
    return timestamp;
  });
}

/** One node: `(0xff item)* item`, each item an attestation (0x00 …) or an operation and its own node. */
function readTimestamp(r: ByteReader, msgLength: number, depth: number, budget: { left: number }): Timestamp {
  if (depth >= MAX_DEPTH) r.fail(`operations nested deeper than ${MAX_DEPTH}`);
  const items: TimestampItem[] = [];
  for (;;) {
    const tag = r.byte('operation tag');
    if (tag === 0xff) {
      items.push(readItem(r, r.byte('operation tag after fork'), msgLength, depth, budget));
      continue;
    }
    items.push(readItem(r, tag, msgLength, depth, budget));
    return { items };
  }
}

function readItem(r: ByteReader, tag: number, msgLength: number, depth: number, budget: { left: number }): TimestampItem {
  const at = r.pos - 1;
  if (tag === 0x00) return { kind: 'attestation', attestation: readAttestation(r) };
  const name = opNameForTag(tag);
  if (name === undefined) r.fail(`unknown operation tag 0x${hex2(tag)}`, at);
  const op: Op = isBinaryOp(name) ? { name, arg: r.varbytes(`${name} argument`, MAX_MSG_LENGTH, 1) } : { name };
  const resultLength = opResultLength(op, msgLength);
  if (typeof resultLength !== 'number') r.fail(resultLength.reason, at);
  budget.left -= opCost(msgLength, resultLength);
  if (budget.left < 0) r.fail(`replaying the proof would process more than ${MAX_REPLAY_COST} bytes`, at);
  return { kind: 'op', op, next: readTimestamp(r, resultLength, depth + 1, budget) };
}

/** The `.ots` bytes of a detached timestamp. */
export function serializeDetached(d: DetachedTimestamp): Uint8Array {
  const w = new ByteWriter();
  w.bytes(HEADER_MAGIC);
  w.varuint(MAJOR_VERSION);
  w.byte(OP_TAG[d.fileHashOp]);
  w.bytes(d.digest);
  writeTimestamp(w, d.timestamp);
  return w.finish();
}

/** The bytes of a bare timestamp (no header, no digest). */
export function serializeTimestamp(t: Timestamp): Uint8Array {
  const w = new ByteWriter();
  writeTimestamp(w, t);
  return w.finish();
}

function writeTimestamp(w: ByteWriter, t: Timestamp): void {
  if (t.items.length === 0) throw new RangeError('an empty timestamp cannot be serialized');
  t.items.forEach((item, i) => {
    if (i < t.items.length - 1) w.byte(0xff);
    if (item.kind === 'attestation') {
      w.byte(0x00);
      writeAttestation(w, item.attestation);
    } else {
      w.byte(OP_TAG[item.op.name]);
      if ('arg' in item.op) w.varbytes(item.op.arg);
      writeTimestamp(w, item.next);
    }
  });
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

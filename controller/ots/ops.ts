/**
 * The commitment operations of the OpenTimestamps format: their tags, the lengths they produce and
 * how they are applied to a message.
 */
import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { concatBytes } from './bytes.js';

/** Longest message an operation may be applied to, and longest result it may produce. */
export const MAX_MSG_LENGTH = 4096;
/** Hexlify doubles its input, so it accepts half the result limit. */
const MAX_HEXLIFY_INPUT = MAX_MSG_LENGTH / 2;

export type HashOpName = 'sha1' | 'ripemd160' | 'sha256' | 'keccak256';
export type UnaryOpName = HashOpName | 'reverse' | 'hexlify';
export type BinaryOpName = 'append' | 'prepend';
export type OpName = UnaryOpName | BinaryOpName;

export type Op = { name: UnaryOpName } | { name: BinaryOpName; arg: Uint8Array };

export const OP_TAG: Record<OpName, number> = {
  sha1: 0x02,
  ripemd160: 0x03,
  sha256: 0x08,
  keccak256: 0x67,
  append: 0xf0,
  prepend: 0xf1,
  reverse: 0xf2,
  hexlify: 0xf3,
};

const OP_BY_TAG = new Map<number, OpName>(Object.entries(OP_TAG).map(([name, tag]) => [tag, name as OpName]));

export const DIGEST_LENGTH: Record<HashOpName, number> = { sha1: 20, ripemd160: 20, sha256: 32, keccak256: 32 };

/** The operation named by a tag byte, or `undefined` for an unknown tag. */
export function opNameForTag(tag: number): OpName | undefined {
  return OP_BY_TAG.get(tag);
}

export function isBinaryOp(name: OpName): name is BinaryOpName {
  return name === 'append' || name === 'prepend';
}

export function isHashOp(name: OpName): name is HashOpName {
  return name in DIGEST_LENGTH;
}

/**
 * The length of `op` applied to a message of `msgLength` bytes, or why it cannot be applied (the
 * reference implementation's limits: message and result at most 4096 bytes, hexlify input at most
 * 2048, no reverse or hexlify of an empty message). Parsing needs only lengths, so it never hashes.
 */
export function opResultLength(op: Op, msgLength: number): number | { reason: string } {
  const maxIn = op.name === 'hexlify' ? MAX_HEXLIFY_INPUT : MAX_MSG_LENGTH;
  if (msgLength > maxIn) return { reason: `message of ${msgLength} bytes too long for ${op.name} (max ${maxIn})` };
  let out: number;
  if (isHashOp(op.name)) out = DIGEST_LENGTH[op.name];
  else if (op.name === 'append' || op.name === 'prepend') out = msgLength + (op as { arg: Uint8Array }).arg.length;
  else {
    if (msgLength === 0) return { reason: `cannot ${op.name} an empty message` };
    out = op.name === 'hexlify' ? msgLength * 2 : msgLength;
  }
  if (out > MAX_MSG_LENGTH) return { reason: `${op.name} result of ${out} bytes too long (max ${MAX_MSG_LENGTH})` };
  return out;
}

/** Hashes `data` with one of the format's hash operations. */
export function hashWith(name: HashOpName, data: Uint8Array): Uint8Array {
  if (name === 'keccak256') return keccak_256(data);
  return new Uint8Array(createHash(name).update(data).digest());
}

/** `op` applied to `msg`. The caller has checked the lengths with `opResultLength`. */
export function applyOp(op: Op, msg: Uint8Array): Uint8Array {
  switch (op.name) {
    case 'append':
      return concatBytes(msg, op.arg);
    case 'prepend':
      return concatBytes(op.arg, msg);
    case 'reverse':
      return Uint8Array.from(msg).reverse();
    case 'hexlify':
      return new Uint8Array(Buffer.from(Buffer.from(msg).toString('hex'), 'ascii'));
    default:
      return hashWith(op.name, msg);
  }
}

/** Bytes hashed or copied to apply `op` to a message of `msgLength` bytes: the unit of the replay budget. */
export function opCost(msgLength: number, resultLength: number): number {
  return msgLength + resultLength;
}

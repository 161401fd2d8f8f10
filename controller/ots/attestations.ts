/**
 * Attestations, the leaves of a timestamp: pending at a calendar, in a Bitcoin block header, or of
 * a kind Muster does not know (kept byte for byte).
 */
import { ByteReader, ByteWriter, Malformed, bytesEqual, encodeVaruint, fromHex } from './bytes.js';

export const PENDING_TAG = fromHex('83dfe30d2ef90c8e') as Uint8Array;
export const BITCOIN_TAG = fromHex('0588960d73d71901') as Uint8Array;
const TAG_SIZE = 8;
/** Largest attestation payload the reference implementation reads. */
export const MAX_PAYLOAD_SIZE = 8192;
export const MAX_URI_LENGTH = 1000;
const URI_CHARS = /^[A-Za-z0-9\-._/:]*$/;

/**
 * `payload` is the attestation's bytes as read (or as encoded when built here), so a proof
 * re-serializes to exactly the bytes it was read from.
 */
export type Attestation =
  | { type: 'pending'; uri: string; payload: Uint8Array }
  | { type: 'bitcoin'; height: number; payload: Uint8Array }
  | { type: 'unknown'; tag: Uint8Array; payload: Uint8Array };

/** Why a calendar URI may not appear in a pending attestation, or `undefined` when it may. */
export function uriProblem(uri: string): string | undefined {
  if (Buffer.byteLength(uri) > MAX_URI_LENGTH) return `URI longer than ${MAX_URI_LENGTH} bytes`;
  if (!URI_CHARS.test(uri)) return 'URI has a character outside A-Z a-z 0-9 - . _ / :';
  return undefined;
}

/** A pending attestation for `uri`, which must pass `uriProblem`. */
export function pendingAttestation(uri: string): Attestation {
  const problem = uriProblem(uri);
  if (problem) throw new RangeError(problem);
  const w = new ByteWriter();
  w.varbytes(new Uint8Array(Buffer.from(uri, 'ascii')));
  return { type: 'pending', uri, payload: w.finish() };
}

/** A Bitcoin block-header attestation at `height`. */
export function bitcoinAttestation(height: number): Attestation {
  return { type: 'bitcoin', height, payload: encodeVaruint(height) };
}

export function attestationTag(a: Attestation): Uint8Array {
  return a.type === 'pending' ? PENDING_TAG : a.type === 'bitcoin' ? BITCOIN_TAG : a.tag;
}

/** Reads an attestation after its 0x00 marker: 8-byte tag, varbytes payload, decoded by tag. */
export function readAttestation(r: ByteReader): Attestation {
  const tag = r.bytes(TAG_SIZE, 'attestation tag');
  const payload = r.varbytes('attestation payload', MAX_PAYLOAD_SIZE);
  const base = r.pos - payload.length;
  try {
    if (bytesEqual(tag, PENDING_TAG)) return { type: 'pending', uri: readPendingUri(new ByteReader(payload)), payload };
    if (bytesEqual(tag, BITCOIN_TAG)) return { type: 'bitcoin', height: readHeight(new ByteReader(payload)), payload };
  } catch (err) {
    // Payload readers count from the payload's first byte; report offsets in the whole input.
    if (err instanceof Malformed) throw new Malformed(base + err.offset, err.reason);
    throw err;
  }
  return { type: 'unknown', tag, payload };
}

function readPendingUri(r: ByteReader): string {
  const start = r.pos;
  const bytes = r.varbytes('calendar URI', MAX_URI_LENGTH);
  r.assertEof('pending attestation URI');
  const uri = Buffer.from(bytes).toString('latin1');
  const problem = uriProblem(uri);
  if (problem) r.fail(`invalid calendar URI: ${problem}`, start);
  return uri;
}

function readHeight(r: ByteReader): number {
  const height = r.varuint('block height');
  r.assertEof('Bitcoin attestation height');
  return height;
}

/** Writes an attestation (without its 0x00 marker) exactly as it was read or built. */
export function writeAttestation(w: ByteWriter, a: Attestation): void {
  w.bytes(attestationTag(a));
  w.varbytes(a.payload);
}

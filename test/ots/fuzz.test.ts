import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitcoinAttestation, pendingAttestation } from '../../controller/ots/attestations.js';
import { concatBytes, encodeVaruint, toHex } from '../../controller/ots/bytes.js';
import { HEADER_MAGIC, parseDetached, parseTimestamp, serializeDetached, serializeTimestamp, type Timestamp, type TimestampItem } from '../../controller/ots/codec.js';
import { attestationsWithCommitments } from '../../controller/ots/commitments.js';
import type { Op } from '../../controller/ots/ops.js';
import { PROOF_FILES, readFixture } from './fixtures.js';

const FIXTURES = PROOF_FILES.map((name) => ({ name, bytes: readFixture(name) }));
const HEAD = concatBytes(HEADER_MAGIC, Uint8Array.of(0x01, 0x08), new Uint8Array(32).fill(0x42));

/**
 * The invariant for any input: parsing never throws; an error points inside the input; an accepted
 * input re-serializes to itself and replays to its commitments without throwing.
 */
function checkAnyInput(bytes: Uint8Array): void {
  const result = parseDetached(bytes);
  if (!result.ok) {
    expect(result.error.offset).toBeGreaterThanOrEqual(0);
    expect(result.error.offset).toBeLessThanOrEqual(bytes.length);
    expect(result.error.reason).not.toBe('');
    return;
  }
  expect(toHex(serializeDetached(result.value))).toBe(toHex(bytes));
  attestationsWithCommitments(result.value.digest, result.value.timestamp);
}

describe('fuzzed proofs: errors only, never a crash', () => {
  it('every truncation of every real proof is an error at or before its end', () => {
    for (const { bytes } of FIXTURES) {
      for (let n = 0; n < bytes.length; n++) {
        const result = parseDetached(bytes.subarray(0, n));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.offset).toBeLessThanOrEqual(n);
      }
    }
  });

  it('flipped bytes', () => {
    const input = fc.record({
      file: fc.constantFrom(...FIXTURES),
      flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(
      fc.property(input, ({ file, flips }) => {
        const bytes = Uint8Array.from(file.bytes);
        for (const { at, value } of flips) bytes[at % bytes.length] = value;
        checkAnyInput(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('oversized lengths spliced in anywhere', () => {
    const input = fc.record({
      file: fc.constantFrom(...FIXTURES),
      at: fc.nat(),
      length: fc.oneof(fc.integer({ min: 4097, max: 1 << 30 }), fc.maxSafeNat()),
      replace: fc.boolean(),
    });
    fc.assert(
      fc.property(input, ({ file, at, length, replace }) => {
        const pos = 32 + (at % (file.bytes.length - 32));
        const tail = file.bytes.subarray(replace ? Math.min(file.bytes.length, pos + 1) : pos);
        checkAnyInput(concatBytes(file.bytes.subarray(0, pos), encodeVaruint(length), tail));
      }),
      { numRuns: 500 },
    );
  });

  it('deep and wide forks', () => {
    const shape = fc.array(fc.constantFrom([0xff, 0x08], [0xff, 0xf2], [0xff, 0x00, ...bitcoinAttestationBytes()], [0x08], [0x67], [0xf3], [0x02]), { maxLength: 2000 });
    fc.assert(
      fc.property(shape, fc.boolean(), (parts, close) => {
        const body = parts.flat();
        checkAnyInput(concatBytes(HEAD, Uint8Array.from(body), close ? Uint8Array.from([0x00, ...bitcoinAttestationBytes()]) : new Uint8Array()));
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes after a valid header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (tail) => checkAnyInput(concatBytes(HEAD, tail))),
      { numRuns: 500 },
    );
  });
});

describe('generated proofs round-trip', () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.constantFrom<Op>({ name: 'sha256' }, { name: 'sha1' }, { name: 'ripemd160' }, { name: 'keccak256' }, { name: 'reverse' }, { name: 'hexlify' }),
    fc.record({ name: fc.constantFrom('append' as const, 'prepend' as const), arg: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  );
  const attestation = fc.oneof(
    fc.nat({ max: 900_000 }).map((h): TimestampItem => ({ kind: 'attestation', attestation: bitcoinAttestation(h) })),
    fc.stringMatching(/^https:\/\/[a-z0-9.-]{1,30}$/).map((u): TimestampItem => ({ kind: 'attestation', attestation: pendingAttestation(u) })),
    fc.record({ tag: fc.uint8Array({ minLength: 8, maxLength: 8 }), payload: fc.uint8Array({ maxLength: 40 }) })
      .filter(({ tag }) => !['83dfe30d2ef90c8e', '0588960d73d71901'].includes(toHex(tag)))
      .map(({ tag, payload }): TimestampItem => ({ kind: 'attestation', attestation: { type: 'unknown', tag, payload } })),
  );
  const { tree } = fc.letrec<{ tree: Timestamp; item: TimestampItem }>((tie) => ({
    tree: fc.array(tie('item'), { minLength: 1, maxLength: 3 }).map((items) => ({ items })),
    item: fc.oneof({ depthSize: 'small', maxDepth: 6 }, attestation, fc.record({ kind: fc.constant('op' as const), op, next: tie('tree') })),
  }));

  it('serialize → parse → serialize gives the same bytes and the same commitments', () => {
    fc.assert(
      fc.property(tree, fc.uint8Array({ minLength: 32, maxLength: 32 }), (timestamp, digest) => {
        const bytes = serializeDetached({ fileHashOp: 'sha256', digest, timestamp });
        const parsed = parseDetached(bytes);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(toHex(serializeDetached(parsed.value))).toBe(toHex(bytes));
        const hex = (t: Timestamp) => attestationsWithCommitments(digest, t).map((a) => toHex(a.commitment));
        expect(hex(parsed.value.timestamp)).toEqual(hex(timestamp));
        const bare = parseTimestamp(serializeTimestamp(timestamp), 32);
        expect(bare.ok && toHex(serializeTimestamp(bare.value))).toBe(toHex(serializeTimestamp(timestamp)));
      }),
      { numRuns: 300 },
    );
  });
});

function bitcoinAttestationBytes(): number[] {
  const a = bitcoinAttestation(358391);
  return [0x05, 0x88, 0x96, 0x0d, 0x73, 0xd7, 0x19, 0x01, ...encodeVaruint(a.payload.length), ...a.payload];
}

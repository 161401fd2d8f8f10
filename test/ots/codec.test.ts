import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesEqual, toHex } from '../../controller/ots/bytes.js';
import { parseDetached, serializeDetached } from '../../controller/ots/codec.js';
import { attestationsWithCommitments, isAnchored } from '../../controller/ots/commitments.js';
import { EXPECTED, PROOF_FILES, readFixture } from './fixtures.js';

function parsed(name: string) {
  const result = parseDetached(readFixture(name));
  if (!result.ok) throw new Error(`${name}: ${result.error.reason} at byte ${result.error.offset}`);
  return result.value;
}

describe('real OpenTimestamps proofs', () => {
  for (const name of PROOF_FILES) {
    const want = EXPECTED[name]!;
    describe(name, () => {
      it('parses with the expected header', () => {
        const proof = parsed(name);
        expect(`version=1 file_hash_op=${proof.fileHashOp} digest=${toHex(proof.digest)}`).toBe(want.header);
      });

      it('serializes back to the same bytes', () => {
        const bytes = readFixture(name);
        expect(toHex(serializeDetached(parsed(name)))).toBe(toHex(bytes));
      });

      it('digest is the sha256 of the stamped file', () => {
        const stamped = readFixture(name.replace(/\.ots$/, ''));
        expect(toHex(parsed(name).digest)).toBe(createHash('sha256').update(stamped).digest('hex'));
      });

      it('yields the expected commitment at every attestation', () => {
        const proof = parsed(name);
        const found = attestationsWithCommitments(proof.digest, proof.timestamp);
        const pending = found.flatMap((f) =>
          f.attestation.type === 'pending' ? [{ calendar: f.attestation.uri, commitment: toHex(f.commitment) }] : [],
        );
        const bitcoin = found.flatMap((f) =>
          f.attestation.type === 'bitcoin' ? [{ height: f.attestation.height, message: toHex(f.commitment) }] : [],
        );
        const unknown = found.flatMap((f) => (f.attestation.type === 'unknown' ? [`unknown:${toHex(f.attestation.tag)}`] : []));
        expect(pending).toEqual(want.pending.map(({ calendar, commitment }) => ({ calendar, commitment })));
        expect(bitcoin).toEqual(want.bitcoin);
        expect(unknown).toEqual(want.unknown);
        expect(isAnchored(proof.timestamp)).toBe(want.bitcoin.length > 0);
      });

      it('no pending commitment is the last sha256 result or a 32-byte hash', () => {
        const proof = parsed(name);
        const pending = attestationsWithCommitments(proof.digest, proof.timestamp).filter((f) => f.attestation.type === 'pending');
        for (const [i, p] of pending.entries()) {
          expect(p.commitment.length).toBe(44);
          expect(toHex(p.commitment)).not.toBe(want.pending[i]!.WRONG_last_sha256);
          expect(bytesEqual(p.commitment, proof.digest)).toBe(false);
        }
      });
    });
  }
});

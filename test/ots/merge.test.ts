import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../controller/ots/bytes.js';
import { verifyAgainstBlockHeader } from '../../controller/ots/block-header.js';
import { parseDetached } from '../../controller/ots/codec.js';
import { attestationsWithCommitments, isAnchored } from '../../controller/ots/commitments.js';
import { mergeUpgrade } from '../../controller/ots/merge.js';
import { bitcoinContinuation } from './calendar-server.js';
import { EXPECTED, readFixture } from './fixtures.js';

const INCOMPLETE = readFixture('incomplete.txt.ots');
const COMMITMENT = fromHex(EXPECTED['incomplete.txt.ots']!.pending[0]!.commitment) as Uint8Array;

function attestations(proof: Uint8Array) {
  const parsed = parseDetached(proof);
  if (!parsed.ok) throw new Error(parsed.error.reason);
  return { anchored: isAnchored(parsed.value.timestamp), found: attestationsWithCommitments(parsed.value.digest, parsed.value.timestamp) };
}

describe('mergeUpgrade', () => {
  it('grafts a Bitcoin-attested continuation onto the pending attestation at the commitment', () => {
    const merged = mergeUpgrade(INCOMPLETE, COMMITMENT, bitcoinContinuation());
    expect(merged.ok).toBe(true);
    if (!merged.ok) return;
    expect(merged.anchored).toBe(true);
    const { anchored, found } = attestations(merged.proof);
    expect(anchored).toBe(true);
    expect(found.map((f) => f.attestation.type)).toEqual(['pending', 'bitcoin']);
    // The pending attestation and its commitment are untouched; the old proof is a prefix of the branch.
    expect(toHex(found[0]!.commitment)).toBe(toHex(COMMITMENT));
    expect(found[1]!.attestation).toMatchObject({ type: 'bitcoin', height: 358391 });
  });

  it('the continuation is protocol data, not a valid anchor: its message is not block 358391’s merkle root', () => {
    const merged = mergeUpgrade(INCOMPLETE, COMMITMENT, bitcoinContinuation());
    if (!merged.ok) throw new Error(merged.reason);
    const btc = attestations(merged.proof).found[1]!;
    const root = fromHex(EXPECTED['hello-world.txt.ots']!.bitcoin[0]!.message) as Uint8Array;
    expect(verifyAgainstBlockHeader(btc.commitment, { merkleRoot: root }).ok).toBe(false);
  });

  it('merging the same answer twice changes nothing the second time', () => {
    const once = mergeUpgrade(INCOMPLETE, COMMITMENT, bitcoinContinuation());
    if (!once.ok) throw new Error(once.reason);
    const twice = mergeUpgrade(once.proof, COMMITMENT, bitcoinContinuation());
    expect(twice.ok && toHex(twice.proof)).toBe(toHex(once.proof));
  });

  it.each([
    { name: 'the last sha256 result', given: { commitment: fromHex(EXPECTED['incomplete.txt.ots']!.pending[0]!.WRONG_last_sha256)!, answer: bitcoinContinuation() }, want: /no pending attestation in the proof has this commitment/ },
    { name: 'the file digest', given: { commitment: fromHex('05c4f616a8e5310d19d938cfd769864d7f4ccdc2ca8b479b10af83564b097af9')!, answer: bitcoinContinuation() }, want: /no pending attestation/ },
    { name: 'an unreadable answer', given: { commitment: COMMITMENT, answer: Uint8Array.of(0x08, 0x99) }, want: /^answer: unknown operation tag 0x99 at byte 1$/ },
    { name: 'an answer that would nest too deep', given: { commitment: COMMITMENT, answer: Uint8Array.from([...new Uint8Array(250).fill(0x08), 0x00, 5, 0x88, 0x96, 0x0d, 0x73, 0xd7, 0x19, 0x01, 1, 5]) }, want: /exceeds the format's limits: operations nested deeper than 256/ },
  ])('refuses $name', ({ given, want }) => {
    const result = mergeUpgrade(INCOMPLETE, given.commitment, given.answer);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(want) });
  });

  it('refuses an unreadable proof', () => {
    expect(mergeUpgrade(INCOMPLETE.subarray(0, 100), COMMITMENT, bitcoinContinuation())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^proof: unexpected end of input/),
    });
  });
});

import { describe, expect, it } from 'vitest';
import { fromHex } from '../../controller/ots/bytes.js';
import { parseBlockHeader, verifyAgainstBlockHeader } from '../../controller/ots/block-header.js';
import { parseDetached } from '../../controller/ots/codec.js';
import { attestationsWithCommitments } from '../../controller/ots/commitments.js';
import { EXPECTED, readFixture } from './fixtures.js';

function bitcoinMessage(name: string): Uint8Array {
  const parsed = parseDetached(readFixture(name));
  if (!parsed.ok) throw new Error(parsed.error.reason);
  const found = attestationsWithCommitments(parsed.value.digest, parsed.value.timestamp).find((a) => a.attestation.type === 'bitcoin');
  if (!found) throw new Error(`${name} has no Bitcoin attestation`);
  return found.commitment;
}

// Block 358391's merkle root (internal byte order), as hello-world.txt.ots commits to it.
const BLOCK_358391 = { merkleRoot: fromHex(EXPECTED['hello-world.txt.ots']!.bitcoin[0]!.message) as Uint8Array };

describe('verifyAgainstBlockHeader', () => {
  it('hello-world.txt.ots commits to the merkle root of block 358391', () => {
    expect(verifyAgainstBlockHeader(bitcoinMessage('hello-world.txt.ots'), BLOCK_358391)).toEqual({ ok: true });
  });

  it('bad-stamp.txt.ots claims block 358391 but its message is not that merkle root', () => {
    const check = verifyAgainstBlockHeader(bitcoinMessage('bad-stamp.txt.ots'), BLOCK_358391);
    expect(check.ok).toBe(false);
    expect(check).toMatchObject({ reason: expect.stringMatching(/^message 921f81b9.* is not the block's merkle root 007ee445/) });
  });

  it('reads the merkle root and time out of a raw 80-byte header', () => {
    const raw = new Uint8Array(80);
    raw.set(BLOCK_358391.merkleRoot, 36);
    new DataView(raw.buffer).setUint32(68, 1432827678, true);
    expect(parseBlockHeader(raw)).toEqual({ merkleRoot: BLOCK_358391.merkleRoot, time: 1432827678 });
    expect(verifyAgainstBlockHeader(bitcoinMessage('hello-world.txt.ots'), raw)).toEqual({ ok: true, time: 1432827678 });
    expect(verifyAgainstBlockHeader(bitcoinMessage('bad-stamp.txt.ots'), raw).ok).toBe(false);
  });

  it.each([
    { name: 'a header of the wrong length', given: { msg: new Uint8Array(32), header: new Uint8Array(79) }, want: /80 bytes, got 79/ },
    { name: 'a message that is not 32 bytes', given: { msg: new Uint8Array(44), header: BLOCK_358391 }, want: /32 bytes, got 44/ },
  ])('refuses $name', ({ given, want }) => {
    const check = verifyAgainstBlockHeader(given.msg, given.header);
    expect(check.ok).toBe(false);
    expect(check).toMatchObject({ reason: expect.stringMatching(want) });
  });
});

import { describe, expect, it } from 'vitest';
import { ByteWriter, concatBytes, encodeVaruint } from '../../controller/ots/bytes.js';
import { HEADER_MAGIC, MAX_PROOF_BYTES, parseDetached, parseTimestamp, serializeDetached } from '../../controller/ots/codec.js';

// A detached-file prefix: magic, version 1, sha256, a 32-byte digest of 0x11.
const HEAD = concatBytes(HEADER_MAGIC, Uint8Array.of(0x01, 0x08), new Uint8Array(32).fill(0x11));
const AT_TIMESTAMP = HEAD.length; // 65
const PENDING_TAG = [0x83, 0xdf, 0xe3, 0x0d, 0x2e, 0xf9, 0x0c, 0x8e];
const BITCOIN_TAG = [0x05, 0x88, 0x96, 0x0d, 0x73, 0xd7, 0x19, 0x01];

function bytes(...parts: (number | number[] | Uint8Array)[]): Uint8Array {
  const w = new ByteWriter();
  for (const p of parts) w.bytes(typeof p === 'number' ? Uint8Array.of(p) : Uint8Array.from(p));
  return w.finish();
}
function pending(uri: string): Uint8Array {
  const inner = concatBytes(encodeVaruint(uri.length), Buffer.from(uri, 'latin1'));
  return bytes(0x00, PENDING_TAG, encodeVaruint(inner.length), inner);
}
const BTC = bytes(0x00, BITCOIN_TAG, 0x01, 0x05);
const chain = (n: number, op = 0x08) => new Uint8Array(n).fill(op);
const repeat = (n: number, part: Uint8Array) => concatBytes(...Array.from({ length: n }, () => part));

describe('malformed proofs are errors with an offset and a reason', () => {
  const rows: { name: string; given: Uint8Array; want: { offset: number; reason: RegExp } }[] = [
    { name: 'empty input', given: new Uint8Array(), want: { offset: 0, reason: /end of input: header/ } },
    { name: 'a truncated header', given: HEADER_MAGIC.subarray(0, 10), want: { offset: 0, reason: /end of input: header/ } },
    { name: 'another file type', given: Buffer.from('%PDF-1.7 not a proof at all, really not'), want: { offset: 0, reason: /bad magic/ } },
    { name: 'major version 2', given: bytes(HEADER_MAGIC, 0x02, 0x08), want: { offset: 31, reason: /unsupported major version 2/ } },
    { name: 'a file hash that is not a hash', given: bytes(HEADER_MAGIC, 0x01, 0xf0), want: { offset: 32, reason: /0xf0 is not a hash/ } },
    { name: 'a truncated digest', given: bytes(HEADER_MAGIC, 0x01, 0x08, chain(5, 0xaa)), want: { offset: 33, reason: /file digest needs 32 bytes, 5 left/ } },
    { name: 'no timestamp after the digest', given: HEAD, want: { offset: AT_TIMESTAMP, reason: /end of input reading operation tag/ } },
    { name: 'an unknown operation', given: bytes(HEAD, 0x99), want: { offset: AT_TIMESTAMP, reason: /unknown operation tag 0x99/ } },
    { name: 'a fork marker twice', given: bytes(HEAD, 0xff, 0xff), want: { offset: AT_TIMESTAMP + 1, reason: /unknown operation tag 0xff/ } },
    { name: 'an empty append', given: bytes(HEAD, 0xf0, 0x00), want: { offset: AT_TIMESTAMP + 1, reason: /append argument is 0 bytes, fewer than the 1/ } },
    { name: 'an oversized append length, refused before reading', given: bytes(HEAD, 0xf0, 0xff, 0xff, 0xff, 0x7f), want: { offset: AT_TIMESTAMP + 1, reason: /append argument is 268435455 bytes, more than the 4096/ } },
    { name: 'an append longer than what is left', given: bytes(HEAD, 0xf0, 0x10, 0xaa), want: { offset: AT_TIMESTAMP + 2, reason: /append argument needs 16 bytes, 1 left/ } },
    { name: 'a varuint longer than 8 bytes', given: bytes(HEAD, 0xf0, chain(9, 0x80), 0x01), want: { offset: AT_TIMESTAMP + 1, reason: /longer than 8 bytes/ } },
    { name: 'a non-minimal varuint', given: bytes(HEAD, 0xf0, 0x81, 0x00, 0xaa), want: { offset: AT_TIMESTAMP + 1, reason: /non-minimal varuint/ } },
    { name: 'a result over 4096 bytes', given: bytes(HEAD, 0xf0, encodeVaruint(4065), chain(4065, 0xaa), BTC), want: { offset: AT_TIMESTAMP, reason: /append result of 4097 bytes too long/ } },
    { name: 'hexlify of more than 2048 bytes', given: bytes(HEAD, 0xf0, encodeVaruint(2017), chain(2017, 0xaa), 0xf3, BTC), want: { offset: AT_TIMESTAMP + 2020, reason: /message of 2049 bytes too long for hexlify/ } },
    { name: 'an attestation payload over 8192 bytes', given: bytes(HEAD, 0x00, BITCOIN_TAG, encodeVaruint(8193)), want: { offset: AT_TIMESTAMP + 9, reason: /attestation payload is 8193 bytes/ } },
    { name: 'a calendar URI with a query', given: bytes(HEAD, pending('https://calendar.example/?x=1')), want: { offset: AT_TIMESTAMP + 10, reason: /invalid calendar URI: .*character outside/ } },
    { name: 'a calendar URI over 1000 bytes', given: bytes(HEAD, pending(`https://${'a'.repeat(1000)}`)), want: { offset: AT_TIMESTAMP + 11, reason: /calendar URI is 1008 bytes, more than the 1000/ } },
    { name: 'a Bitcoin height followed by more bytes', given: bytes(HEAD, 0x00, BITCOIN_TAG, 0x02, 0x05, 0x06), want: { offset: AT_TIMESTAMP + 11, reason: /1 trailing bytes after Bitcoin attestation height/ } },
    { name: 'trailing bytes after the timestamp', given: bytes(HEAD, BTC, 0x00), want: { offset: AT_TIMESTAMP + 11, reason: /1 trailing bytes after the timestamp/ } },
    { name: 'operations nested 256 deep', given: bytes(HEAD, chain(256), BTC), want: { offset: AT_TIMESTAMP + 256, reason: /nested deeper than 256/ } },
    { name: 'a proof over the size limit', given: bytes(HEAD, new Uint8Array(MAX_PROOF_BYTES)), want: { offset: 0, reason: /more than the 131072 accepted/ } },
    {
      // The append (4067 bytes) costs 4128 of the 32 MiB budget and each reverse of the 4096-byte
      // message 8192, so the 4096th branch `ff f2 <btc>` (13 bytes each) is the one refused.
      name: 'a proof too costly to replay (thousands of 4 KiB reverses)',
      given: bytes(HEAD, 0xf0, encodeVaruint(4064), chain(4064, 0xaa), repeat(5000, bytes(0xff, 0xf2, BTC)), BTC),
      want: { offset: AT_TIMESTAMP + 4067 + 4095 * 13 + 1, reason: /would process more than 33554432 bytes/ },
    },
  ];

  it.each(rows)('$name', ({ given, want }) => {
    const result = parseDetached(given);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.reason).toMatch(want.reason);
    expect(result.error.offset).toBe(want.offset);
  });

  it('accepts operations nested 255 deep, the reference limit', () => {
    const given = bytes(HEAD, chain(255), BTC);
    const result = parseDetached(given);
    expect(result.ok).toBe(true);
    if (result.ok) expect(serializeDetached(result.value)).toEqual(given);
  });

  it('a bare timestamp must fit its start message', () => {
    expect(parseTimestamp(bytes(0xf3, BTC), 2049)).toMatchObject({ ok: false, error: { offset: 0, reason: /2049 bytes too long for hexlify/ } });
    expect(parseTimestamp(bytes(0xf3, BTC), 2048).ok).toBe(true);
    expect(parseTimestamp(bytes(0xf2, BTC), 0)).toMatchObject({ ok: false, error: { reason: /cannot reverse an empty message/ } });
  });
});

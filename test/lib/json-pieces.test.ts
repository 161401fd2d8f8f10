import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastBrotliPieces } from '../../lib/fast-brotli.js';
import { jsonPieces } from '../../lib/json-pieces.js';

const text = (value: unknown, pieceChars?: number) => [...jsonPieces(value, pieceChars)].join('');

describe('jsonPieces', () => {
  it("is JSON.stringify's text for any value (nothing where it has none), whatever the piece size", () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: true, withNullPrototype: true }), fc.integer({ min: 1, max: 64 }), (value, pieceChars) => {
        expect(text(value, pieceChars)).toBe(JSON.stringify(value) ?? '');
      }),
    );
  });

  it("writes what JSON leaves out or nulls as JSON does: members undefined, functions, symbols, toJSON", () => {
    const when = new Date('2026-12-05T12:00:00Z');
    const value = { a: undefined, b: () => 1, c: Symbol('c'), d: [undefined, () => 1, Symbol('d'), when], e: when, f: { toJSON: () => 'f' }, g: Object.assign([1], { toJSON: () => 'g' }) };
    expect(text(value, 1)).toBe(JSON.stringify(value));
    expect(text(when)).toBe(JSON.stringify(when));
    expect(text(new Number(3))).toBe('3');
    expect(text(new String('ab'))).toBe('"ab"');
    expect(text(undefined)).toBe('');
  });

  it('yields a large array in pieces near the size asked for, none holding the whole text', () => {
    const value = { now: 'then', appliances: Array.from({ length: 10_000 }, (_, i) => ({ name: `appliance-${i}`, phase: 'Pending' })) };
    const pieces = [...jsonPieces(value, 4096)];
    const whole = JSON.stringify(value);
    expect(pieces.join('')).toBe(whole);
    expect(pieces.length).toBeGreaterThan(whole.length / 4200);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(4096 + 100);
    expect(pieces.every((p) => p.length > 0)).toBe(true);
  });
});

describe('fastBrotliPieces', () => {
  it('decompresses to the pieces joined, multi-byte characters across pieces included', async () => {
    const pieces = ['{"a":"ü', '€', '😀"}', '', 'x'.repeat(100_000)];
    const packed = await fastBrotliPieces(pieces);
    expect(zlib.brotliDecompressSync(packed).toString('utf8')).toBe(pieces.join(''));
    expect(packed.length).toBeLessThan(1_000);
  });
});

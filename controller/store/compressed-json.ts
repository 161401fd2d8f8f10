import zlib from 'node:zlib';
import { fastBrotliPieces } from '../../lib/fast-brotli.js';
import { jsonPieces } from '../../lib/json-pieces.js';

/**
 * A large JSON value a store keeps but seldom reads (the saved plan), compressed with Brotli at its
 * fastest quality. At 100,000 appliances the saved plan is about 50 MB of JSON, written every 30
 * seconds; SQLite wrote it inside the apply transaction, holding the database's one write lock for
 * about 280 ms while check-ins waited for it (their longest wait during passes: 235 ms). Compressed,
 * it is a few MB, made before the transaction (2026-12-05, docs/BENCHMARKS.md). This is `value` as
 * JSON, compressed, to be stored as a BLOB; the JSON text is made and compressed a piece at a time
 * (see jsonPieces), never whole.
 */
export function compressJson(value: unknown): Promise<Buffer> {
  return fastBrotliPieces(jsonPieces(value));
}

/** A stored JSON value: a compressed BLOB (compressJson), or JSON text as earlier versions stored it. */
export function parseStoredJson(stored: string | Uint8Array): unknown {
  return JSON.parse(typeof stored === 'string' ? stored : zlib.brotliDecompressSync(stored).toString('utf8'));
}

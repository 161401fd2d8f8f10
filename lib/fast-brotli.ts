import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

/**
 * `bytes` compressed with Brotli at its fastest quality, told their length so it sizes its window
 * to them. For large, repetitive data kept long and read seldom: a plan of 100,000 appliances (76 MB
 * serialized, 51 MB of JSON) packs into 1–1.5 MB in about 60 ms, where gzip's fastest level gave
 * 2.4 MB in 90 ms.
 *
 * The output is gathered in buffers of 1 MiB, not zlib's 16 KiB: called once per piece of a plan,
 * the small buffers lay in glibc's arenas among longer-lived blocks, and the holes they left stayed
 * resident between passes (about 40 MB at 100,000 appliances, 2026-12-05, docs/BENCHMARKS.md); a
 * block of 1 MiB is mapped on its own and handed back when freed (see malloc-settings.ts).
 */
export function fastBrotli(bytes: Uint8Array): Buffer {
  return zlib.brotliCompressSync(bytes, { chunkSize: OUTPUT_CHUNK_BYTES, params: fastParams(zlib.constants.BROTLI_MODE_GENERIC, bytes.length) });
}

const OUTPUT_CHUNK_BYTES = 1 << 20;

/**
 * UTF-8 text given in pieces, compressed as fastBrotli compresses bytes, with Brotli told it is text
 * and without the size hint (the length is not known beforehand), one piece at a time on libuv's
 * thread pool.
 */
export async function fastBrotliPieces(pieces: Iterable<string>): Promise<Buffer> {
  const packed: Buffer[] = [];
  const compress = zlib.createBrotliCompress({ params: fastParams(zlib.constants.BROTLI_MODE_TEXT) });
  await pipeline(Readable.from(pieces, { objectMode: false }), compress, async (compressed: AsyncIterable<Buffer>) => {
    for await (const chunk of compressed) packed.push(chunk);
  });
  return Buffer.concat(packed);
}

function fastParams(mode: number, sizeHint?: number): Record<number, number> {
  const { constants } = zlib;
  return {
    [constants.BROTLI_PARAM_QUALITY]: 1,
    [constants.BROTLI_PARAM_MODE]: mode,
    ...(sizeHint === undefined ? {} : { [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint }),
  };
}

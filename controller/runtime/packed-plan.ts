import v8 from 'node:v8';
import zlib from 'node:zlib';
import { fastBrotli } from '../../lib/fast-brotli.js';
import type { Plan } from '../reconcile/plan.js';

/**
 * A plan as it crosses from the reconcile worker and waits on the API's thread until someone reads it:
 * V8's serialization (no JSON text of the whole plan on either side), compressed with Brotli at its
 * fastest quality. At 100,000 appliances the serialized plan is about 76 MB and mostly repeated
 * statuses, reasons and messages: Brotli's quality 1 packs it into about 1.5 MB in about 60 ms on the
 * worker's thread, and the API's thread keeps 1.5 MB instead of 76 between passes (2026-12-05,
 * docs/BENCHMARKS.md). Reading it back costs about 0.2 s more, once per pass and only when read.
 * The packed bytes have an ArrayBuffer of their own, so that transferring it moves them and no others.
 */
export function packPlan(plan: Plan): Uint8Array {
  const packed = fastBrotli(v8.serialize(plan));
  return packed.byteOffset === 0 && packed.byteLength === packed.buffer.byteLength ? packed : new Uint8Array(packed);
}

/** The plan a packPlan call packed. */
export function unpackPlan(packed: Uint8Array): Plan {
  return v8.deserialize(zlib.brotliDecompressSync(packed)) as Plan;
}

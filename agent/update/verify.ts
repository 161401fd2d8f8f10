import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

export type CheckResult = { ok: true } | { ok: false; error: string };

/** The lowercase hex sha256 of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Checks a downloaded image against its release: the size first when one is declared, then the
 * sha256. A mismatch names both values: "sha256 mismatch: expected …, got …".
 */
export async function verifyImage(path: string, expected: { sha256: string; sizeBytes?: number }): Promise<CheckResult> {
  try {
    const size = (await stat(path)).size;
    if (expected.sizeBytes !== undefined && size !== expected.sizeBytes) {
      return { ok: false, error: `size mismatch: expected ${expected.sizeBytes} bytes, got ${size}` };
    }
    const actual = await sha256File(path);
    const want = expected.sha256.toLowerCase();
    return actual === want ? { ok: true } : { ok: false, error: `sha256 mismatch: expected ${want}, got ${actual}` };
  } catch (err) {
    return { ok: false, error: `cannot read the downloaded image: ${err instanceof Error ? err.message : String(err)}` };
  }
}

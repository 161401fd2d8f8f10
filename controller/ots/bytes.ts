/**
 * Byte-level reading and writing for the OpenTimestamps format: bounded reads that know their
 * offset, LEB128 varuints and length-prefixed varbytes.
 */

/** Where and why an OpenTimestamps proof could not be read. */
export interface OtsError {
  /** Byte offset in the input where the problem was found. */
  offset: number;
  reason: string;
}

/** A decoded value, or the first problem found in the input. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: OtsError };

/**
 * Thrown inside the decoder only and turned into an `OtsError` value at its public entry points,
 * so the many nested reads need no error plumbing while callers still get a value, never a throw.
 */
export class Malformed extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${reason} at byte ${offset}`);
  }
}

/** Runs a decoder, turning a `Malformed` into an error value; any other exception is a bug and propagates. */
export function decodeWith<T>(decode: () => T): Decoded<T> {
  try {
    return { ok: true, value: decode() };
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, error: { offset: err.offset, reason: err.reason } };
    throw err;
  }
}

/** Largest varuint accepted: 8 bytes of 7 bits each stays below 2^53, so values are exact JS numbers. */
const MAX_VARUINT_BYTES = 8;

/** A cursor over input bytes; every read checks what is left before touching memory. */
export class ByteReader {
  pos = 0;

  constructor(readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  fail(reason: string, at: number = this.pos): never {
    throw new Malformed(at, reason);
  }

  byte(what: string): number {
    if (this.pos >= this.buf.length) this.fail(`unexpected end of input reading ${what}`);
    return this.buf[this.pos++] as number;
  }

  /** A view of the next `n` bytes (no copy); `n` is checked against the input left first. */
  bytes(n: number, what: string): Uint8Array {
    if (n > this.remaining) this.fail(`unexpected end of input: ${what} needs ${n} bytes, ${this.remaining} left`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * A minimal LEB128 unsigned integer. Non-minimal encodings (a trailing 0x00 group) are refused:
   * no writer produces them, and accepting them would break byte-for-byte round trips.
   */
  varuint(what: string): number {
    const start = this.pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARUINT_BYTES; i++) {
      const b = this.byte(what);
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) this.fail(`non-minimal varuint encoding of ${what}`, start);
        return value;
      }
      scale *= 128;
    }
    return this.fail(`varuint ${what} longer than ${MAX_VARUINT_BYTES} bytes`, start);
  }

  /** A varuint length then that many bytes; the length is bounded before anything is read. */
  varbytes(what: string, max: number, min = 0): Uint8Array {
    const at = this.pos;
    const len = this.varuint(`length of ${what}`);
    if (len > max) this.fail(`${what} is ${len} bytes, more than the ${max} allowed`, at);
    if (len < min) this.fail(`${what} is ${len} bytes, fewer than the ${min} required`, at);
    return this.bytes(len, what);
  }

  assertEof(what: string): void {
    if (this.pos !== this.buf.length) this.fail(`${this.remaining} trailing bytes after ${what}`);
  }
}

/** Collects output chunks and joins them once. */
export class ByteWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  bytes(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  byte(b: number): void {
    this.bytes(Uint8Array.of(b));
  }

  varuint(n: number): void {
    this.bytes(encodeVaruint(n));
  }

  varbytes(b: Uint8Array): void {
    this.varuint(b.length);
    this.bytes(b);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** The minimal LEB128 encoding of a non-negative safe integer. */
export function encodeVaruint(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varuint out of range: ${n}`);
  const out: number[] = [];
  let v = n;
  do {
    const low = v % 128;
    v = Math.floor(v / 128);
    out.push(v > 0 ? low | 0x80 : low);
  } while (v > 0);
  return Uint8Array.from(out);
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}

/** Lowercase or uppercase hex of even length to bytes; `undefined` when it is not hex. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const w = new ByteWriter();
  for (const p of parts) w.bytes(p);
  return w.finish();
}

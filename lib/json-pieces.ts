/**
 * About how long each piece of text `jsonPieces` yields is, in characters. Under V8's largest
 * ordinary object (128 KiB), so a piece is made and dropped in the young generation, collected at
 * almost no cost: pieces of 256 Ki characters were born in the old generation, where they waited for
 * a full collection, and the pass saving the plan allocated 204 MB for 51 MB of text (2026-12-05).
 */
export const JSON_PIECE_CHARS = 64 * 1024;

/**
 * `JSON.stringify(value)`, character for character, in pieces of about `pieceChars`: the elements of
 * the arrays directly under a top-level object are stringified one at a time, so the whole text of a
 * large value never exists at once. The saved plan at 100,000 appliances is 51 MB of JSON, mostly its
 * `appliances` and `findings` arrays; held whole, with its UTF-8 copy, it took about 100 MB more while
 * it was compressed (2026-12-05, docs/BENCHMARKS.md). Anything else is stringified whole, as one piece.
 */
export function* jsonPieces(value: unknown, pieceChars = JSON_PIECE_CHARS): Generator<string> {
  if (!isPlainRecord(value)) {
    // Nothing for what JSON cannot write at all (undefined, a function, a symbol).
    const whole = JSON.stringify(value) as string | undefined;
    if (whole !== undefined) yield whole;
    return;
  }
  // Parts joined once per piece: one flat string, where appending made a chain of partial ones.
  const parts: string[] = ['{'];
  let length = 1;
  const add = (text: string) => {
    parts.push(text);
    length += text.length;
  };
  let first = true;
  for (const key of Object.keys(value)) {
    const member = value[key];
    // Members JSON leaves out of an object.
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    add(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    if (!Array.isArray(member) || hasToJson(member)) {
      add(JSON.stringify(member));
      continue;
    }
    add('[');
    for (let i = 0; i < member.length; i++) {
      if (i > 0) add(',');
      // JSON writes null for an element it cannot write (undefined, a function, a symbol).
      add(JSON.stringify(member[i]) ?? 'null');
      if (length >= pieceChars) {
        yield parts.join('');
        parts.length = 0;
        length = 0;
      }
    }
    add(']');
  }
  add('}');
  yield parts.join('');
}

/**
 * An object JSON writes member by member, as this does: a plain object (a boxed number or string
 * is written as its value), with no `toJSON` to write instead.
 */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || hasToJson(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

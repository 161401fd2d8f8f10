import v8 from 'node:v8';
import zlib from 'node:zlib';
import { fastBrotli } from '../../lib/fast-brotli.js';
import type { Plan } from '../reconcile/plan.js';

/** Elements per piece of the plan's two long arrays: a piece serializes to 1–2 MB at most. */
export const PLAN_PIECE_ELEMENTS = 2_000;

/** The first piece: the plan without its long arrays, its keys in order, and how long each array was. */
interface Head {
  keys: string[];
  rest: Omit<Plan, 'appliances' | 'findings'>;
  appliances: number;
  findings: number;
}

/**
 * A plan as it crosses from the reconcile worker and waits on the API's thread until someone reads it:
 * V8's serialization (no JSON text of the whole plan on either side), compressed with Brotli at its
 * fastest quality. At 100,000 appliances the plan serializes to about 76 MB, mostly repeated
 * statuses, reasons and messages, and packs into a few MB that the API's thread keeps between passes.
 *
 * The plan goes a piece at a time: its other members, then its appliances and its findings
 * PLAN_PIECE_ELEMENTS at a time, each piece serialized and compressed on its own and written behind
 * its length (4 bytes, little-endian). Serialized whole, the 76 MB and Brotli's window over them
 * raised the controller's RSS by about 60 MB at the end of every pass (2026-12-05, docs/BENCHMARKS.md).
 * The packed bytes have an ArrayBuffer of their own, so that transferring it moves them and no others.
 */
export function packPlan(plan: Plan): Uint8Array {
  const frames: Buffer[] = [];
  for (const piece of planPieces(plan)) {
    const body = fastBrotli(v8.serialize(piece));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(body.byteLength);
    frames.push(length, body);
  }
  // Concatenated into an ArrayBuffer of its own.
  return new Uint8Array(Buffer.concat(frames));
}

/** The plan a packPlan call packed. */
export function unpackPlan(packed: Uint8Array): Plan {
  const frames = unframed(Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength));
  const head = frames.next().value as Head;
  const appliances = gather(frames, head.appliances) as Plan['appliances'];
  const findings = gather(frames, head.findings) as Plan['findings'];
  const long: Pick<Plan, 'appliances' | 'findings'> = { appliances, findings };
  const plan: Record<string, unknown> = {};
  for (const key of head.keys) plan[key] = key in long ? long[key as keyof typeof long] : head.rest[key as keyof Head['rest']];
  return plan as unknown as Plan;
}

function* planPieces(plan: Plan): Generator<unknown> {
  const { appliances, findings, ...rest } = plan;
  yield { keys: Object.keys(plan), rest, appliances: appliances.length, findings: findings.length } satisfies Head;
  for (const list of [appliances, findings]) {
    for (let i = 0; i < list.length; i += PLAN_PIECE_ELEMENTS) yield list.slice(i, i + PLAN_PIECE_ELEMENTS);
  }
}

function* unframed(bytes: Buffer): Generator<unknown> {
  let at = 0;
  while (at < bytes.byteLength) {
    if (at + 4 > bytes.byteLength) throw new Error('packed plan: a piece is cut short');
    const end = at + 4 + bytes.readUInt32LE(at);
    if (end > bytes.byteLength) throw new Error('packed plan: a piece is cut short');
    yield v8.deserialize(zlib.brotliDecompressSync(bytes.subarray(at + 4, end)));
    at = end;
  }
}

/** The next pieces' elements, `count` of them in all. */
function gather(frames: Generator<unknown>, count: number): unknown[] {
  const all: unknown[] = [];
  while (all.length < count) {
    const next = frames.next();
    if (next.done) throw new Error(`packed plan: ${count - all.length} elements missing`);
    for (const element of next.value as unknown[]) all.push(element);
  }
  return all;
}

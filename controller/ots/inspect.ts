/**
 * What `muster ots inspect` shows: a proof's digest, its operation tree, and every attestation with
 * its commitment. Pure: bytes in, a report or its text out.
 */
import type { Attestation } from './attestations.js';
import { toHex, type Decoded } from './bytes.js';
import { parseDetached, type Timestamp } from './codec.js';
import { applyOp, type HashOpName, type Op } from './ops.js';

/** A branch of the operation tree: an operation with its result and what follows, or an attestation. */
export type InspectBranch =
  | { op: Op['name']; arg?: string; result: string; next: InspectBranch[] }
  /** Index into `attestations`. */
  | { attestation: number };

export interface InspectAttestation {
  type: 'pending' | 'bitcoin' | 'unknown';
  uri?: string;
  height?: number;
  tag?: string;
  payload?: string;
  /** Hex of the message at the attestation: what a calendar is asked about, or a block's merkle root. */
  commitment: string;
}

export interface InspectReport {
  fileHashOp: HashOpName;
  digest: string;
  ops: InspectBranch[];
  attestations: InspectAttestation[];
}

/** Reads a `.ots` file into its inspection report, or the offset and reason it is unreadable. */
export function inspectProof(bytes: Uint8Array): Decoded<InspectReport> {
  const parsed = parseDetached(bytes);
  if (!parsed.ok) return parsed;
  const { fileHashOp, digest, timestamp } = parsed.value;
  const attestations: InspectAttestation[] = [];
  const ops = branches(timestamp, digest, attestations);
  return { ok: true, value: { fileHashOp, digest: toHex(digest), ops, attestations } };
}

function branches(t: Timestamp, msg: Uint8Array, out: InspectAttestation[]): InspectBranch[] {
  return t.items.map((item): InspectBranch => {
    if (item.kind === 'attestation') {
      out.push(attestationJson(item.attestation, msg));
      return { attestation: out.length - 1 };
    }
    const result = applyOp(item.op, msg);
    const arg = 'arg' in item.op ? { arg: toHex(item.op.arg) } : {};
    return { op: item.op.name, ...arg, result: toHex(result), next: branches(item.next, result, out) };
  });
}

function attestationJson(a: Attestation, msg: Uint8Array): InspectAttestation {
  const commitment = toHex(msg);
  if (a.type === 'pending') return { type: 'pending', uri: a.uri, commitment };
  if (a.type === 'bitcoin') return { type: 'bitcoin', height: a.height, commitment };
  return { type: 'unknown', tag: toHex(a.tag), payload: toHex(a.payload), commitment };
}

/**
 * The report as text: the tree in the reference client's `ots info` layout (forks as ` -> ` with
 * their branch indented), then every attestation with its commitment.
 */
export function renderInspectText(report: InspectReport): string {
  const lines = [`File ${report.fileHashOp} hash: ${report.digest}`, 'Timestamp:'];
  renderTree(report.ops, 0, report.attestations, lines);
  lines.push('', 'Attestations:');
  report.attestations.forEach((a, i) => {
    const n = `${i + 1}.`.padEnd(4);
    if (a.type === 'pending') lines.push(`  ${n}pending at ${a.uri}`, `      commitment ${a.commitment}`);
    else if (a.type === 'bitcoin') lines.push(`  ${n}Bitcoin block ${a.height}`, `      merkle root (internal byte order) ${a.commitment}`);
    else lines.push(`  ${n}unknown attestation ${a.tag} (kept as is)`, `      message ${a.commitment}`);
  });
  return `${lines.join('\n')}\n`;
}

function renderTree(items: InspectBranch[], indent: number, atts: InspectAttestation[], lines: string[]): void {
  const pad = ' '.repeat(indent);
  // As the reference client: arrows only where more than one operation leaves a node.
  const fork = items.filter((i) => !('attestation' in i)).length > 1;
  for (const item of items) {
    if ('attestation' in item) {
      lines.push(`${pad}verify ${describeInspected(atts[item.attestation] as InspectAttestation)}`);
      continue;
    }
    const text = item.arg === undefined ? item.op : `${item.op} ${item.arg}`;
    lines.push(fork ? `${pad} -> ${text}` : `${pad}${text}`);
    renderTree(item.next, fork ? indent + 4 : indent, atts, lines);
  }
}

function describeInspected(a: InspectAttestation): string {
  if (a.type === 'pending') return `PendingAttestation('${a.uri}')`;
  if (a.type === 'bitcoin') return `BitcoinBlockHeaderAttestation(${a.height})`;
  return `UnknownAttestation(${a.tag}, ${a.payload})`;
}

/** Real OpenTimestamps proofs from the project's test vectors (see test/fixtures/ots/README.md). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../fixtures/ots/', import.meta.url));

export interface ExpectedProof {
  header: string;
  pending: { calendar: string; commitment: string; WRONG_last_sha256: string }[];
  bitcoin: { height: number; message: string }[];
  unknown: string[];
}

export const EXPECTED: Record<string, ExpectedProof> = JSON.parse(readFileSync(`${DIR}expected-commitments.json`, 'utf8'));

export const PROOF_FILES = Object.keys(EXPECTED);

export function fixturePath(name: string): string {
  return `${DIR}${name}`;
}

export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}

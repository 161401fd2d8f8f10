import type { NewProof, ProofRow, Store } from '../../store/store.js';
import { fromHex } from '../bytes.js';
import type { CalendarClient, CalendarReport } from '../calendar-client.js';
import { calendarStatesAfter } from './calendar-states.js';

/** What became of one piece of evidence. */
export type EvidenceOutcome =
  /** Stored now: `pending` at the calendars that accepted it, `failed` when none did. */
  | { kind: 'created'; proof: ProofRow; perCalendar: CalendarReport[] }
  /** The bundle was already known with this hash: the stored row, unchanged. */
  | { kind: 'known'; proof: ProofRow }
  /** The bundle is known with another hash: nothing changed. */
  | { kind: 'conflict'; proof: ProofRow };

/**
 * Submits a bundle's sha256 to the policy's calendars and stores the merged proof under
 * `bundleId` at `now`: `pending` with the calendars' answers, or `failed` with no proof bytes when
 * no calendar accepted it. A bundle id already stored is left as it is (a repeated post may reach
 * the calendars again, which is harmless: they stamp whatever they are sent).
 */
export async function submitEvidence(
  deps: { store: Store; client: CalendarClient },
  bundle: { bundleId: string; sha256: string },
  now: Date,
): Promise<EvidenceOutcome> {
  const digest = fromHex(bundle.sha256);
  if (!digest || digest.length !== 32) throw new RangeError(`not a sha256: ${bundle.sha256}`);
  const submitted = await deps.client.submit(digest);
  const row: NewProof = {
    bundleId: bundle.bundleId,
    bundleSha256: bundle.sha256,
    status: submitted.proofBytes ? 'pending' : 'failed',
    createdAt: now,
    proof: submitted.proofBytes ?? new Uint8Array(),
    calendars: calendarStatesAfter({}, submitted.perCalendar, now),
  };
  const { proof, created } = await deps.store.insertProof(row);
  if (created) return { kind: 'created', proof, perCalendar: submitted.perCalendar };
  return proof.bundleSha256 === bundle.sha256 ? { kind: 'known', proof } : { kind: 'conflict', proof };
}

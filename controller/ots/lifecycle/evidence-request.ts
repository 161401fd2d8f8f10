/**
 * The body of `POST /v1/evidence`, read as a value: `{bundleId, sha256}` or the first field that is
 * wrong and why.
 */

/** A bundle id: 1–200 characters, letters, digits and `._:-`, starting with a letter or digit. */
export const BUNDLE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;

export interface EvidenceRequest {
  bundleId: string;
  /** Lowercase hex of the bundle's sha256. */
  sha256: string;
}

export type EvidenceRead = { ok: true; value: EvidenceRequest } | { ok: false; field: string; message: string };

/** Checks an evidence body; extra fields are refused so a misspelt one is not silently ignored. */
export function readEvidenceRequest(body: unknown): EvidenceRead {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, field: '', message: 'the body must be a JSON object {bundleId, sha256}' };
  }
  const record = body as Record<string, unknown>;
  const extra = Object.keys(record).find((k) => k !== 'bundleId' && k !== 'sha256');
  if (extra !== undefined) return { ok: false, field: extra, message: `unknown field ${JSON.stringify(extra)}: the body is {bundleId, sha256}` };
  const { bundleId, sha256 } = record;
  if (typeof bundleId !== 'string' || !BUNDLE_ID_PATTERN.test(bundleId)) {
    return {
      ok: false,
      field: 'bundleId',
      message: 'bundleId must be 1–200 characters of letters, digits and ._:- starting with a letter or digit',
    };
  }
  if (typeof sha256 !== 'string' || !SHA256_PATTERN.test(sha256)) {
    return { ok: false, field: 'sha256', message: 'sha256 must be 64 lowercase hex digits (the sha256 of the bundle)' };
  }
  return { ok: true, value: { bundleId, sha256 } };
}

/**
 * The bundle id a proof is stored under: the appliance's id, `/`, the id it gave. Appliances name
 * their bundles independently, so two of them may both send `incidents-2026-03-01`; neither can
 * read or shadow the other's proof. Appliance ids contain no `/`, so the key is unambiguous.
 */
export function storedBundleId(appliance: string, bundleId: string): string {
  return `${appliance}/${bundleId}`;
}

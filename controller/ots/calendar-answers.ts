/**
 * What a calendar's HTTP answer means. The calendar protocol answers an upgrade request with 200
 * and a timestamp, or 404 and a line of text that tells three different situations apart.
 */

/** The meaning of one answer to `GET /timestamp/<commitment>`. */
export type UpgradeAnswer =
  /** 200: a timestamp starting at the commitment, to be merged into the proof. */
  | { kind: 'timestamp'; bytes: Uint8Array }
  /** 404 "Pending confirmation in Bitcoin blockchain": the calendar holds it; no transaction yet. */
  | { kind: 'pending'; message: string }
  /** 404 "Timestamped by transaction <txid>; waiting for N confirmations": in a transaction, not yet deep enough. */
  | { kind: 'confirming'; message: string; txid?: string }
  /** 404 "Not found": the calendar does not know this commitment (a wrong commitment, or a lost calendar). */
  | { kind: 'not-found'; message: string }
  /** Anything else: an unexpected status or body; the calendar is misbehaving or unreachable. */
  | { kind: 'failed'; reason: string };

const MAX_MESSAGE = 200;

/** Classifies the status and body of an upgrade answer. Pure: the caller has fetched and bounded the body. */
export function classifyUpgradeAnswer(status: number, body: Uint8Array): UpgradeAnswer {
  if (status === 200) {
    return body.length > 0 ? { kind: 'timestamp', bytes: body } : { kind: 'failed', reason: 'HTTP 200 with an empty body' };
  }
  const message = printable(body);
  if (status !== 404) return { kind: 'failed', reason: `HTTP ${status}${message ? `: ${message}` : ''}` };
  if (/^Pending confirmation/i.test(message)) return { kind: 'pending', message };
  const tx = /^Timestamped by transaction\s*([0-9a-fA-F]{64})?/i.exec(message);
  if (tx) return tx[1] ? { kind: 'confirming', message, txid: tx[1].toLowerCase() } : { kind: 'confirming', message };
  if (/^Not found/i.test(message)) return { kind: 'not-found', message };
  return { kind: 'failed', reason: `HTTP 404 with an unrecognized body: ${JSON.stringify(message)}` };
}

/** The meaning of one answer to `POST /digest`. */
export type SubmitAnswer = { kind: 'timestamp'; bytes: Uint8Array } | { kind: 'failed'; reason: string };

/** Classifies the status and body of a submission answer. */
export function classifySubmitAnswer(status: number, body: Uint8Array): SubmitAnswer {
  if (status === 200 && body.length > 0) return { kind: 'timestamp', bytes: body };
  const message = printable(body);
  return { kind: 'failed', reason: `HTTP ${status}${message ? `: ${message}` : ' with an empty body'}` };
}

/** The body as one short line of printable ASCII, so a hostile calendar cannot inject into logs. */
function printable(body: Uint8Array): string {
  const text = Buffer.from(body.subarray(0, MAX_MESSAGE)).toString('latin1');
  return text.replace(/[^\x20-\x7e]+/g, ' ').trim();
}

/**
 * The OpenTimestamps calendar client: submits digests and upgrades pending proofs, contacting only
 * the calendars of the OtsPolicy, each through its own queue (a concurrency cap) and with a backoff
 * after failures. The clock and the HTTP layer are injected.
 *
 *   const client = createCalendarClient({ calendars: policy.calendars });
 *   const { proofBytes } = await client.submit(bundleSha256);       // null: no calendar accepted it
 *   const up = await client.upgrade(proofBytes);                    // up.status: 'pending' | 'anchored'
 */
import PQueue from 'p-queue';
import { backgroundClock, type Clock } from '../../lib/clock.js';
import { backoffDelayMs, type BackoffPolicy } from '../../lib/backoff.js';
import { toHex, type OtsError } from './bytes.js';
import { classifySubmitAnswer, classifyUpgradeAnswer, type UpgradeAnswer } from './calendar-answers.js';
import { OTS_MEDIA_TYPE, exchange, type FetchLike } from './calendar-http.js';
import { allowedCalendars, normalizeCalendarUrl } from './calendar-url.js';
import { MAX_PROOF_BYTES, parseDetached, parseTimestamp, serializeDetached, type Timestamp } from './codec.js';
import { isAnchored, pendingCommitments } from './commitments.js';
import { mergeTimestamps, mergeUpgrade } from './merge.js';
import { DIGEST_LENGTH, type HashOpName } from './ops.js';

/** What happened with one calendar for one digest or commitment. Kinds are kept apart on purpose. */
export type CalendarOutcome =
  | { kind: 'submitted' }
  | { kind: 'upgraded' }
  | { kind: 'pending'; message: string }
  | { kind: 'confirming'; message: string; txid?: string }
  | { kind: 'not-found'; message: string }
  /** The calendar is not in the allow-list (or its URI is unusable): it was not contacted. */
  | { kind: 'not-allowed'; reason: string }
  /** It failed recently: not contacted before `retryAt`. */
  | { kind: 'backing-off'; retryAt: string }
  | { kind: 'failed'; reason: string };

export interface CalendarReport {
  calendar: string;
  /** Hex of the commitment asked about (upgrades only). */
  commitment?: string;
  outcome: CalendarOutcome;
}

export interface SubmitResult {
  /** A `.ots` file for the digest, pending at every calendar that accepted it; null when none did. */
  proofBytes: Uint8Array | null;
  perCalendar: CalendarReport[];
}

export type UpgradeResult =
  | { ok: true; proofBytes: Uint8Array; status: 'pending' | 'anchored'; changed: boolean; perCalendar: CalendarReport[] }
  | { ok: false; error: OtsError };

export interface CalendarClientOptions {
  /** The OtsPolicy's calendars: the only ones ever contacted. */
  calendars: readonly string[];
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** The clock the backoff reads; the real one by default. */
  clock?: Clock;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Requests in flight per calendar; default 4. */
  concurrency?: number;
  /** After the n-th consecutive failure a calendar rests min(maxMs, baseMs × 2^(n−1)); default CALENDAR_BACKOFF. */
  backoff?: BackoffPolicy;
}

export interface CalendarClient {
  /** The allow-list as contacted (normalized), and entries refused with their reasons. */
  readonly calendars: readonly string[];
  readonly refused: readonly { url: string; reason: string }[];
  /** Submits `digest` (≤ 64 bytes, the length of `fileHashOp`'s digest) to every allowed calendar. */
  submit(digest: Uint8Array, opts?: { fileHashOp?: HashOpName; signal?: AbortSignal }): Promise<SubmitResult>;
  /** Asks each allowed calendar the proof is pending at for its commitment, and merges what they return. */
  upgrade(proof: Uint8Array, opts?: { signal?: AbortSignal }): Promise<UpgradeResult>;
  /** One upgrade request, answer unmerged: what `calendar` says about `commitment`. */
  ask(calendar: string, commitment: Uint8Array, opts?: { signal?: AbortSignal }): Promise<AskResult>;
}

/** A calendar's answer about one commitment, or why it was not asked. */
export type AskResult = UpgradeAnswer | { kind: 'not-allowed'; reason: string } | { kind: 'backing-off'; retryAt: string };

const MAX_SUBMIT_DIGEST = 64;
/** A failing calendar rests 30 s after its first failure, doubling to at most an hour. */
export const CALENDAR_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 3_600_000 };

interface CalendarState {
  queue: PQueue;
  failures: number;
  retryAt: number;
}

/** What the client's functions share: the allowed calendars' queues and backoff, the clock, the HTTP layer. */
interface Context {
  states: Map<string, CalendarState>;
  fetch: FetchLike;
  now: () => number;
  timeoutMs: number;
  backoff: BackoffPolicy;
}

/** A client bound to one allow-list. It holds per-calendar queues and backoff state, nothing else. */
export function createCalendarClient(options: CalendarClientOptions): CalendarClient {
  const { allowed, refused } = allowedCalendars(options.calendars);
  const ctx: Context = {
    states: new Map(allowed.map((c) => [c, { queue: new PQueue({ concurrency: options.concurrency ?? 4 }), failures: 0, retryAt: 0 }])),
    fetch: options.fetch ?? ((url, init) => fetch(url, init)),
    now: () => (options.clock ?? backgroundClock).now(),
    timeoutMs: options.timeoutMs ?? 10_000,
    backoff: options.backoff ?? CALENDAR_BACKOFF,
  };
  return {
    calendars: allowed,
    refused,
    ask: (calendar, commitment, opts) => ask(ctx, calendar, commitment, opts?.signal),
    submit: (digest, opts = {}) => submit(ctx, allowed, digest, opts.fileHashOp ?? 'sha256', opts.signal),
    upgrade: (proof, opts = {}) => upgrade(ctx, proof, opts.signal),
  };
}

/** Runs `send` in the calendar's queue unless it is resting; records success or failure for the backoff. */
async function throughQueue<T extends { kind: string }>(
  ctx: Context,
  calendar: string,
  send: () => Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T | { kind: 'backing-off'; retryAt: string } | { kind: 'failed'; reason: string }> {
  const state = ctx.states.get(calendar) as CalendarState;
  return state.queue.add(async () => {
    if (signal?.aborted) return { kind: 'failed' as const, reason: 'cancelled' };
    if (state.retryAt > ctx.now()) return { kind: 'backing-off' as const, retryAt: new Date(state.retryAt).toISOString() };
    const answer = await send();
    // The caller gave up: that says nothing about the calendar.
    if (signal?.aborted) return answer;
    if (answer.kind === 'failed') {
      state.failures += 1;
      state.retryAt = ctx.now() + backoffDelayMs(state.failures, ctx.backoff);
    } else {
      state.failures = 0;
      state.retryAt = 0;
    }
    return answer;
  });
}

/** The allowed calendar a proof's URI names, or why it may not be contacted. */
function resolve(ctx: Context, uri: string): { ok: true; calendar: string } | { ok: false; reason: string } {
  const n = normalizeCalendarUrl(uri);
  if (!n.ok) return n;
  if (!ctx.states.has(n.url)) return { ok: false, reason: 'not one of the OtsPolicy calendars' };
  return { ok: true, calendar: n.url };
}

async function ask(ctx: Context, uri: string, commitment: Uint8Array, signal?: AbortSignal): Promise<AskResult> {
  const target = resolve(ctx, uri);
  if (!target.ok) return { kind: 'not-allowed', reason: target.reason };
  const send = async (): Promise<UpgradeAnswer> => {
    const res = await exchange(
      `${target.calendar}/timestamp/${toHex(commitment)}`,
      { method: 'GET', headers: { Accept: OTS_MEDIA_TYPE } },
      { fetch: ctx.fetch, timeoutMs: ctx.timeoutMs, maxBodyBytes: MAX_PROOF_BYTES, signal },
    );
    if (!res.ok) return { kind: 'failed', reason: res.reason };
    const answer = classifyUpgradeAnswer(res.status, res.body);
    // An unreadable timestamp is the calendar's failure (it counts toward its backoff), not the proof's.
    const readable = answer.kind === 'timestamp' ? parseTimestamp(answer.bytes, commitment.length) : undefined;
    if (readable && !readable.ok) return { kind: 'failed', reason: `unreadable timestamp: ${readable.error.reason} at byte ${readable.error.offset}` };
    return answer;
  };
  return throughQueue(ctx, target.calendar, send, signal);
}

type SubmitAnswerRead = { kind: 'timestamp'; timestamp: Timestamp } | { kind: 'failed'; reason: string };

async function submitTo(ctx: Context, calendar: string, digest: Uint8Array, signal?: AbortSignal) {
  const send = async (): Promise<SubmitAnswerRead> => {
    const res = await exchange(
      `${calendar}/digest`,
      { method: 'POST', headers: { Accept: OTS_MEDIA_TYPE, 'Content-Type': 'application/octet-stream' }, body: digest },
      { fetch: ctx.fetch, timeoutMs: ctx.timeoutMs, maxBodyBytes: MAX_PROOF_BYTES, signal },
    );
    if (!res.ok) return { kind: 'failed', reason: res.reason };
    const answer = classifySubmitAnswer(res.status, res.body);
    if (answer.kind === 'failed') return answer;
    const parsed = parseTimestamp(answer.bytes, digest.length);
    if (!parsed.ok) return { kind: 'failed', reason: `unreadable timestamp: ${parsed.error.reason} at byte ${parsed.error.offset}` };
    return { kind: 'timestamp', timestamp: parsed.value };
  };
  return throughQueue(ctx, calendar, send, signal);
}

async function submit(ctx: Context, allowed: string[], digest: Uint8Array, fileHashOp: HashOpName, signal?: AbortSignal): Promise<SubmitResult> {
  if (digest.length > MAX_SUBMIT_DIGEST || digest.length !== DIGEST_LENGTH[fileHashOp]) {
    throw new RangeError(`a ${fileHashOp} digest is ${DIGEST_LENGTH[fileHashOp]} bytes, got ${digest.length}`);
  }
  const answers = await Promise.all(allowed.map((c) => submitTo(ctx, c, digest, signal)));
  const merged: Timestamp = { items: [] };
  const perCalendar = answers.map((answer, i): CalendarReport => {
    const calendar = allowed[i] as string;
    if (answer.kind !== 'timestamp') return { calendar, outcome: answer };
    mergeTimestamps(merged, answer.timestamp);
    return { calendar, outcome: { kind: 'submitted' } };
  });
  const proofBytes = merged.items.length > 0 ? serializeDetached({ fileHashOp, digest, timestamp: merged }) : null;
  return { proofBytes, perCalendar };
}

async function upgrade(ctx: Context, proof: Uint8Array, signal?: AbortSignal): Promise<UpgradeResult> {
  const parsed = parseDetached(proof);
  if (!parsed.ok) return parsed;
  const { digest, timestamp } = parsed.value;
  if (isAnchored(timestamp)) return { ok: true, proofBytes: proof, status: 'anchored', changed: false, perCalendar: [] };
  const seen = new Set<string>();
  const asks = pendingCommitments(digest, timestamp).filter(({ uri, commitment }) => {
    const key = `${uri} ${toHex(commitment)}`;
    return !seen.has(key) && seen.add(key);
  });
  const answers = await Promise.all(asks.map(({ uri, commitment }) => ask(ctx, uri, commitment, signal)));
  let proofBytes = proof;
  let anchored = false;
  // Merged one after another, in the proof's order, so each answer lands on the proof so far.
  const perCalendar = answers.map((answer, i): CalendarReport => {
    const { uri, commitment } = asks[i] as (typeof asks)[number];
    const normalized = normalizeCalendarUrl(uri);
    const report = { calendar: normalized.ok ? normalized.url : uri, commitment: toHex(commitment) };
    if (answer.kind !== 'timestamp') return { ...report, outcome: answer };
    const merged = mergeUpgrade(proofBytes, commitment, answer.bytes);
    if (!merged.ok) return { ...report, outcome: { kind: 'failed', reason: `calendar answer not merged: ${merged.reason}` } };
    proofBytes = merged.proof;
    anchored ||= merged.anchored;
    return { ...report, outcome: { kind: 'upgraded' } };
  });
  return { ok: true, proofBytes, status: anchored ? 'anchored' : 'pending', changed: proofBytes !== proof, perCalendar };
}

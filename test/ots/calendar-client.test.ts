import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../controller/ots/bytes.js';
import { createCalendarClient, type CalendarClientOptions } from '../../controller/ots/calendar-client.js';
import type { FetchLike } from '../../controller/ots/calendar-http.js';
import { MAX_PROOF_BYTES, parseDetached } from '../../controller/ots/codec.js';
import { attestationsWithCommitments } from '../../controller/ots/commitments.js';
import { eventually } from '../helpers/eventually.js';
import { bitcoinContinuation, routeTo, startCalendarServer, type CalendarServer, type CalendarServerOptions } from './calendar-server.js';
import { EXPECTED, readFixture } from './fixtures.js';
import { clockReading } from '../../lib/clock.js';

const ALICE = 'https://alice.btc.calendar.opentimestamps.org';
const BOB = 'https://bob.btc.calendar.opentimestamps.org';
const T0 = Date.parse('2025-03-01T12:00:00Z');

const servers: CalendarServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function calendar(options: CalendarServerOptions = {}): Promise<CalendarServer> {
  const server = await startCalendarServer({ now: () => T0, ...options });
  servers.push(server);
  return server;
}

function clock(start = T0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function client(calendars: string[], fetchImpl: FetchLike, extra: Partial<CalendarClientOptions> = {}) {
  return createCalendarClient({ calendars, fetch: fetchImpl, clock: clockReading(() => T0), timeoutMs: 5_000, ...extra });
}

const pendingOf = (name: string) => EXPECTED[name]!.pending;

describe('upgrading real pending proofs against a local calendar', () => {
  it('asks alice about the replayed commitment and gets the upgrade', async () => {
    const [want] = pendingOf('incomplete.txt.ots');
    const alice = await calendar({ answers: { [want!.commitment]: { kind: 'timestamp', bytes: bitcoinContinuation() } } });
    const result = await client([ALICE], routeTo({ [ALICE]: alice.url })).upgrade(readFixture('incomplete.txt.ots'));

    expect(result).toMatchObject({ ok: true, status: 'anchored', changed: true });
    if (!result.ok) return;
    expect(result.perCalendar).toEqual([{ calendar: ALICE, commitment: want!.commitment, outcome: { kind: 'upgraded' } }]);
    expect(alice.requests).toEqual([
      { method: 'GET', path: `/timestamp/${want!.commitment}`, accept: 'application/vnd.opentimestamps.v1', body: new Uint8Array() },
    ]);
    const parsed = parseDetached(result.proofBytes);
    expect(parsed.ok && attestationsWithCommitments(parsed.value.digest, parsed.value.timestamp).map((a) => a.attestation.type)).toEqual(['pending', 'bitcoin']);
  });

  it('the bundle hash and the last sha256 result both get "Not found"; the commitment does not', async () => {
    const [want] = pendingOf('incomplete.txt.ots');
    const alice = await calendar({ answers: { [want!.commitment]: { kind: 'timestamp', bytes: bitcoinContinuation() } } });
    const c = client([ALICE], routeTo({ [ALICE]: alice.url }));
    const digest = EXPECTED['incomplete.txt.ots']!.header.split('digest=')[1]!;

    expect(await c.ask(ALICE, fromHex(digest)!)).toEqual({ kind: 'not-found', message: 'Not found' });
    expect(await c.ask(ALICE, fromHex(want!.WRONG_last_sha256)!)).toEqual({ kind: 'not-found', message: 'Not found' });
    expect(await c.ask(ALICE, fromHex(want!.commitment)!)).toMatchObject({ kind: 'timestamp' });
  });

  it('keeps pending, waiting for confirmations and not found apart, one per calendar branch', async () => {
    const [a, b] = pendingOf('two-calendars.txt.ots');
    const txid = 'ab'.repeat(32);
    const alice = await calendar({ answers: { [a!.commitment]: { kind: 'pending' } } });
    const bob = await calendar({ answers: { [b!.commitment]: { kind: 'confirming', txid, confirmations: 3 } } });
    const c = client([ALICE, BOB], routeTo({ [ALICE]: alice.url, [BOB]: bob.url }));

    const result = await c.upgrade(readFixture('two-calendars.txt.ots'));
    expect(result).toMatchObject({ ok: true, status: 'pending', changed: false });
    expect(result.ok && result.perCalendar).toEqual([
      { calendar: ALICE, commitment: a!.commitment, outcome: { kind: 'pending', message: 'Pending confirmation in Bitcoin blockchain' } },
      { calendar: BOB, commitment: b!.commitment, outcome: { kind: 'confirming', txid, message: `Timestamped by transaction ${txid}; waiting for 3 confirmations` } },
    ]);
    expect(result.ok && toHex(result.proofBytes)).toBe(toHex(readFixture('two-calendars.txt.ots')));

    alice.answers.delete(a!.commitment);
    const lost = await c.upgrade(readFixture('two-calendars.txt.ots'));
    expect(lost.ok && lost.perCalendar[0]!.outcome).toEqual({ kind: 'not-found', message: 'Not found' });
  });

  it('upgrades each calendar of a Merkle-tree leaf at its own commitment', async () => {
    const [a, b] = pendingOf('merkle1.txt.ots');
    const alice = await calendar({ answers: { [a!.commitment]: { kind: 'timestamp', bytes: bitcoinContinuation() } } });
    const bob = await calendar();
    const result = await client([ALICE, BOB], routeTo({ [ALICE]: alice.url, [BOB]: bob.url })).upgrade(readFixture('merkle1.txt.ots'));
    expect(result).toMatchObject({ ok: true, status: 'anchored', changed: true });
    expect(result.ok && result.perCalendar.map((r) => [r.calendar, r.commitment, r.outcome.kind])).toEqual([
      [ALICE, a!.commitment, 'upgraded'],
      [BOB, b!.commitment, 'not-found'],
    ]);
  });

  it('an unknown attestation does not anchor a proof; a Bitcoin one ends upgrading without a request', async () => {
    const bob = await calendar();
    const c = client([BOB], routeTo({ [BOB]: bob.url }));
    expect(await c.upgrade(readFixture('known-and-unknown-notary.txt.ots'))).toMatchObject({ ok: true, status: 'pending' });
    expect(bob.requests).toHaveLength(1);
    const done = await c.upgrade(readFixture('hello-world.txt.ots'));
    expect(done).toMatchObject({ ok: true, status: 'anchored', changed: false, perCalendar: [] });
    expect(bob.requests).toHaveLength(1);
  });

  it('an unreadable proof is an error value with its offset', async () => {
    const result = await client([ALICE], routeTo({})).upgrade(readFixture('incomplete.txt.ots').subarray(0, 60));
    expect(result).toEqual({ ok: false, error: { offset: 33, reason: 'unexpected end of input: file digest needs 32 bytes, 27 left' } });
  });
});

describe('only the policy’s calendars are contacted', () => {
  it('skips a calendar the proof names but the policy does not list, without contacting it', async () => {
    const [a, b] = pendingOf('two-calendars.txt.ots');
    const alice = await calendar({ answers: { [a!.commitment]: { kind: 'pending' } } });
    const bob = await calendar({ answers: { [b!.commitment]: { kind: 'timestamp', bytes: bitcoinContinuation() } } });
    const result = await client([ALICE], routeTo({ [ALICE]: alice.url, [BOB]: bob.url })).upgrade(readFixture('two-calendars.txt.ots'));
    expect(result.ok && result.perCalendar[1]).toEqual({
      calendar: BOB,
      commitment: b!.commitment,
      outcome: { kind: 'not-allowed', reason: 'not one of the OtsPolicy calendars' },
    });
    expect(bob.requests).toEqual([]);
    expect(alice.requests).toHaveLength(1);
  });

  it('refuses plain http off loopback, credentials and queries in the allow-list', () => {
    const c = createCalendarClient({
      calendars: ['http://calendar.example.org', 'https://user:pw@calendar.example.org', 'https://calendar.example.org/?a=1', 'HTTPS://Alice.btc.calendar.opentimestamps.org/', 'http://127.0.0.1:9/', 'ftp://x'],
    });
    expect(c.calendars).toEqual([ALICE, 'http://127.0.0.1:9']);
    expect(c.refused.map((r) => r.reason)).toEqual([
      'plain http:// is allowed only on loopback, not calendar.example.org',
      'a calendar URL may not carry credentials',
      'a calendar URL may not carry a query or fragment',
      'ftp:// is not https://',
    ]);
  });

  it('does not follow a redirect to another host', async () => {
    const [want] = pendingOf('incomplete.txt.ots');
    const elsewhere = await calendar({ answers: { [want!.commitment]: { kind: 'timestamp', bytes: bitcoinContinuation() } } });
    const alice = await calendar();
    const redirecting: FetchLike = async (url, init) =>
      url.startsWith(ALICE) ? new Response(null, { status: 302, headers: { location: `${elsewhere.url}/timestamp/${want!.commitment}` } }) : fetch(url, init);
    const result = await client([ALICE], redirecting).upgrade(readFixture('incomplete.txt.ots'));
    expect(result.ok && result.perCalendar[0]!.outcome).toEqual({ kind: 'failed', reason: 'HTTP 302: redirects are not followed' });
    expect(elsewhere.requests).toEqual([]);
    expect(alice.requests).toEqual([]);
  });
});

describe('submitting a digest', () => {
  it('builds a proof pending at each accepting calendar, with the calendar-made 44-byte commitment', async () => {
    const one = await calendar();
    const two = await calendar({ uri: 'https://two.calendar.example' });
    const digest = fromHex('aa'.repeat(32))!;
    const c = createCalendarClient({ calendars: [one.url, two.url], clock: clockReading(() => T0) });
    const { proofBytes, perCalendar } = await c.submit(digest);

    expect(perCalendar).toEqual([
      { calendar: one.url, outcome: { kind: 'submitted' } },
      { calendar: two.url, outcome: { kind: 'submitted' } },
    ]);
    expect(one.requests[0]).toMatchObject({ method: 'POST', path: '/digest', body: digest });
    const parsed = parseDetached(proofBytes!);
    if (!parsed.ok) throw new Error(parsed.error.reason);
    expect(toHex(parsed.value.digest)).toBe('aa'.repeat(32));
    const found = attestationsWithCommitments(parsed.value.digest, parsed.value.timestamp);
    expect(found.map((f) => (f.attestation.type === 'pending' ? f.attestation.uri : '?'))).toEqual([one.url, 'https://two.calendar.example']);
    for (const f of found) {
      expect(f.commitment.length).toBe(44);
      expect(toHex(f.commitment.subarray(0, 4))).toBe((T0 / 1000).toString(16));
      expect(toHex(f.commitment.subarray(4, 36))).toBe('aa'.repeat(32));
    }
    // The calendar knows what it stamped: the commitment is pending there, the digest is not.
    expect(await c.ask(one.url, found[0]!.commitment)).toMatchObject({ kind: 'pending' });
    expect(await c.ask(one.url, digest)).toMatchObject({ kind: 'not-found' });
  });

  it('reports each refusal, and no proof when no calendar accepted', async () => {
    const up = await calendar();
    const down = await calendar();
    const c = createCalendarClient({ calendars: [up.url, down.url], clock: clockReading(() => T0) });
    const failing: FetchLike = (url, init) => (url.startsWith(down.url) ? Promise.resolve(new Response('overloaded', { status: 503 })) : fetch(url, init));
    const some = await createCalendarClient({ calendars: [up.url, down.url], fetch: failing, clock: clockReading(() => T0) }).submit(new Uint8Array(32));
    expect(some.proofBytes).not.toBeNull();
    expect(some.perCalendar[1]).toEqual({ calendar: down.url, outcome: { kind: 'failed', reason: 'HTTP 503: overloaded' } });

    const none = await createCalendarClient({ calendars: [down.url], fetch: failing, clock: clockReading(() => T0) }).submit(new Uint8Array(32));
    expect(none.proofBytes).toBeNull();
    await expect(c.submit(new Uint8Array(65), { fileHashOp: 'sha256' })).rejects.toThrow(RangeError);
  });
});

describe('timeouts, backoff and the concurrency cap', () => {
  it('a calendar that does not answer in time fails the request', async () => {
    const [want] = pendingOf('incomplete.txt.ots');
    const alice = await calendar({ answers: { [want!.commitment]: { kind: 'hang' } } });
    const result = await client([ALICE], routeTo({ [ALICE]: alice.url }), { timeoutMs: 50 }).upgrade(readFixture('incomplete.txt.ots'));
    expect(result.ok && result.perCalendar[0]!.outcome).toEqual({ kind: 'failed', reason: 'no answer within 50 ms' });
  });

  it('after failures a calendar rests, doubling each time, and is asked again once the clock passes', async () => {
    const [want] = pendingOf('incomplete.txt.ots');
    const alice = await calendar({ answers: { [want!.commitment]: { kind: 'status', status: 500, body: 'boom' } } });
    const t = clock();
    const c = client([ALICE], routeTo({ [ALICE]: alice.url }), { clock: clockReading(t.now), backoff: { baseMs: 1_000, maxMs: 10_000 } });
    const outcome = async () => {
      const r = await c.upgrade(readFixture('incomplete.txt.ots'));
      return r.ok ? r.perCalendar[0]!.outcome : undefined;
    };

    expect(await outcome()).toEqual({ kind: 'failed', reason: 'HTTP 500: boom' });
    expect(await outcome()).toEqual({ kind: 'backing-off', retryAt: new Date(T0 + 1_000).toISOString() });
    t.advance(1_000);
    expect(await outcome()).toMatchObject({ kind: 'failed' });
    expect(await outcome()).toEqual({ kind: 'backing-off', retryAt: new Date(T0 + 1_000 + 2_000).toISOString() });
    expect(alice.requests).toHaveLength(2);

    alice.answers.set(want!.commitment, { kind: 'pending' });
    t.advance(2_000);
    expect(await outcome()).toMatchObject({ kind: 'pending' });
    expect(await outcome()).toMatchObject({ kind: 'pending' }); // a good answer resets the backoff
  });

  it('a request the caller cancels fails as cancelled and does not count against the calendar', async () => {
    const [want] = pendingOf('incomplete.txt.ots');
    const commitment = fromHex(want!.commitment)!;
    const alice = await calendar({ answers: { [want!.commitment]: { kind: 'hang' } } });
    const c = client([ALICE], routeTo({ [ALICE]: alice.url }), { backoff: { baseMs: 60_000, maxMs: 60_000 } });

    const early = new AbortController();
    const before = c.ask(ALICE, commitment, { signal: early.signal });
    early.abort();
    expect(await before).toEqual({ kind: 'failed', reason: 'cancelled' });

    const late = new AbortController();
    const during = c.ask(ALICE, commitment, { signal: late.signal });
    await eventually(() => alice.requests.length > 0, { what: 'the request to reach the calendar', everyMs: 2 });
    expect(alice.requests).toHaveLength(1);
    late.abort();
    expect(await during).toEqual({ kind: 'failed', reason: 'cancelled' });

    alice.answers.set(want!.commitment, { kind: 'pending' });
    expect(await c.ask(ALICE, commitment)).toMatchObject({ kind: 'pending' });
  });

  it('an unreadable or oversized answer is the calendar’s failure', async () => {
    const [want] = pendingOf('incomplete.txt.ots');
    const alice = await calendar({ answers: { [want!.commitment]: { kind: 'timestamp', bytes: Uint8Array.of(0x08, 0x08) } } });
    const c = client([ALICE], routeTo({ [ALICE]: alice.url }));
    expect(await c.ask(ALICE, fromHex(want!.commitment)!)).toEqual({ kind: 'failed', reason: 'unreadable timestamp: unexpected end of input reading operation tag at byte 2' });

    const declared: FetchLike = async () => new Response('x', { headers: { 'content-length': String(MAX_PROOF_BYTES + 1) } });
    expect(await client([ALICE], declared).ask(ALICE, fromHex(want!.commitment)!)).toEqual({
      kind: 'failed',
      reason: `answer of ${MAX_PROOF_BYTES + 1} bytes is larger than the ${MAX_PROOF_BYTES} accepted`,
    });
    const streamed: FetchLike = async () => new Response(new Uint8Array(MAX_PROOF_BYTES + 1));
    expect(await client([ALICE], streamed).ask(ALICE, fromHex(want!.commitment)!)).toEqual({
      kind: 'failed',
      reason: `answer larger than the ${MAX_PROOF_BYTES} bytes accepted`,
    });
  });

  it('never has more requests in flight per calendar than its cap', async () => {
    const alice = await calendar();
    let inFlight = 0;
    let most = 0;
    const counting: FetchLike = async (url, init) => {
      most = Math.max(most, ++inFlight);
      try {
        return await routeTo({ [ALICE]: alice.url })(url, init);
      } finally {
        inFlight--;
      }
    };
    const c = client([ALICE], counting, { concurrency: 2 });
    const asks = Array.from({ length: 6 }, (_, i) => c.ask(ALICE, Uint8Array.of(i + 1)));
    expect((await Promise.all(asks)).every((a) => a.kind === 'not-found')).toBe(true);
    expect(alice.requests).toHaveLength(6);
    expect(most).toBe(2);
  });
});

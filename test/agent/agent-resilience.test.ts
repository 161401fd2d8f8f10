import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../agent/core/agent.js';
import { parseDeferWindows, type DeferWindow } from '../../agent/update/defer-window.js';
import { AgentFixture, APPLIANCE } from './helpers/agent-fixture.js';
import { eventually } from '../helpers/eventually.js';

let f: AgentFixture;
beforeEach(async () => {
  f = await new AgentFixture().start();
});
afterEach(async () => {
  await f.close();
});

function reported(agent: Agent, match: (r: NonNullable<ReturnType<AgentFixture['lastReport']>>) => boolean, what: string) {
  return eventually(
    () => {
      const last = f.lastReport();
      return last && match(last) ? last : null;
    },
    { clock: f.clock, quiet: () => !agent.busy, what },
  );
}

function checkinDelays(kind: string): number[] {
  return f.events.flatMap((e) => (e.type === 'checkin' && e.outcome.kind === kind ? [e.nextInMs] : []));
}

const partialOf = (sha256: string) => join(f.stateDir, 'images', `${sha256}.img`);

describe('when the controller goes away', () => {
  it('backs off exponentially with jitter, never below the floor, and resumes when it comes back', async () => {
    f.answer(null);
    const agent = f.agent();
    agent.start();
    await reported(agent, () => true, 'a first check-in');
    await f.server.goAway();
    await eventually(() => checkinDelays('unreachable').length >= 6, { clock: f.clock, quiet: () => !agent.busy });

    const delays = checkinDelays('unreachable');
    // random() = 0.5 draws half of each ceiling: 2 s, 4 s, 8 s… halved, with the 1 s floor first.
    expect(delays.slice(0, 6)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);

    const target = f.release('1.0.51');
    f.answer(target);
    await f.server.start();
    const last = await reported(agent, (r) => r.update?.phase === 'succeeded', 'success after the outage');
    expect(last.agentVersion).toBe('1.0.51');
    // Back to the server's interval (0 marks a check-in that had a new phase to report at once).
    expect(checkinDelays('ok').slice(1)).toContain(60_000);
    expect(checkinDelays('ok').every((ms) => ms === 0 || ms === 60_000)).toBe(true);
  });

  it('honours Retry-After on 503 and 429', async () => {
    f.server.unavailable = { status: 503, retryAfter: '120' };
    const agent = f.agent();
    agent.start();
    await eventually(() => checkinDelays('retry-after').length >= 2, { clock: f.clock, quiet: () => !agent.busy });
    f.server.unavailable = { status: 429, retryAfter: '7' };
    await eventually(() => checkinDelays('retry-after').length >= 3, { clock: f.clock, quiet: () => !agent.busy });
    expect(checkinDelays('retry-after').slice(0, 3)).toEqual([120_000, 120_000, 7_000]);
  });

  it('keeps updating from the last target it was given while the controller is down', async () => {
    const target = f.release('1.0.51', 1_500_000);
    const stalled = f.images.fault('image-1.0.51.img', 'stall', 400_000);
    f.answer(target);
    const agent = f.agent();
    agent.start();
    await stalled;
    const partial = partialOf(target.image.sha256);
    await eventually(() => existsSync(partial) && statSync(partial).size === 400_000, { what: 'the partial file' });
    await f.server.goAway();
    await f.stopAgents();
    // A restart while the controller is away: the target comes from the state file.
    const again = f.agent();
    again.start();
    await eventually(() => f.phases().includes('succeeded'), { clock: f.clock, quiet: () => !again.busy });
    expect(f.images.requests.at(-1)?.status).toBe(206);
  });
});

describe('an interrupted download', () => {
  it('resumes with a Range request after the agent restarts on the same state directory', async () => {
    const target = f.release('1.0.51', 2_000_000);
    const stalled = f.images.fault('image-1.0.51.img', 'stall', 600_000);
    f.answer(target);
    f.agent().start();
    await stalled;
    const partial = partialOf(target.image.sha256);
    await eventually(() => existsSync(partial) && statSync(partial).size === 600_000, { what: 'the partial file' });
    await f.stopAgents();
    expect(statSync(partial).size).toBe(600_000);

    const restarted = f.agent();
    restarted.start();
    const last = await reported(restarted, (r) => r.update?.phase === 'succeeded', 'succeeded');

    expect(last.update?.attempt).toBe(1);
    expect(f.images.requests).toHaveLength(2);
    expect(f.images.requests[1]).toMatchObject({ range: 'bytes=600000-', status: 206 });
    expect(f.images.requests[1]?.ifRange).toMatch(/^"[0-9a-f]{16}"$/);
    expect(f.phases()).toEqual(['downloading', 'verifying', 'installing', 'rebooting', 'succeeded']);
  });

  it('cut by the network fails the attempt, and the retry resumes where it stopped', async () => {
    const target = f.release('1.0.51', 1_000_000);
    void f.images.fault('image-1.0.51.img', 'cut', 250_000);
    f.answer(target);
    const agent = f.agent();
    agent.start();
    const last = await reported(agent, (r) => r.update?.phase === 'succeeded', 'succeeded');

    expect(last.update?.attempt).toBe(2);
    const failure = f.events.find((e) => e.type === 'phase' && e.phase === 'failed');
    const error = failure?.type === 'phase' ? failure.error : null;
    // Bytes the client received but had not yet written are lost with the connection; the rest is kept.
    const kept = Number(/^download interrupted after ([0-9]+) bytes: /.exec(error ?? '')?.[1]);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(250_000);
    expect(f.images.requests.map((r) => [r.range, r.status])).toEqual([
      [null, 200],
      [`bytes=${kept}-`, 206],
    ]);
  });

  it('starts over from byte 0 when the server ignores Range', async () => {
    const target = f.release('1.0.51', 1_000_000);
    void f.images.fault('image-1.0.51.img', 'cut', 250_000);
    f.images.rangeSupport = false;
    f.answer(target);
    const agent = f.agent();
    agent.start();
    const last = await reported(agent, (r) => r.update?.phase === 'succeeded', 'succeeded');
    expect(last.update).toMatchObject({ attempt: 2, error: null });
    expect(f.images.requests.map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('a target change mid-download', () => {
  it('abandons the old download, removes its partial file and installs the new target', async () => {
    const first = f.release('1.0.51', 2_000_000);
    const second = f.release('1.0.52', 200_000);
    const stalled = f.images.fault('image-1.0.51.img', 'stall', 300_000);
    f.answer(first);
    const agent = f.agent();
    agent.start();
    await stalled;
    await eventually(() => existsSync(partialOf(first.image.sha256)) && statSync(partialOf(first.image.sha256)).size === 300_000);

    f.answer(second);
    // The download is in flight, so the agent is never idle: move the clock to its next check-in by hand.
    await eventually(() => f.clock.runNext(), { what: 'the next check-in timer' });
    const last = await reported(agent, (r) => r.update?.release === 'v1.0.52' && r.update.phase === 'succeeded', 'v1.0.52 succeeded');

    expect(last.agentVersion).toBe('1.0.52');
    expect(existsSync(partialOf(first.image.sha256))).toBe(false);
    const switched = f.events.find((e) => e.type === 'step' && e.step.kind === 'switch' && e.step.discard !== null);
    expect(switched?.type === 'step' && switched.step.kind === 'switch' && switched.step.discard?.name).toBe('v1.0.51');
    expect(f.phases().filter((p) => p !== 'downloading')).toEqual(['verifying', 'installing', 'rebooting', 'succeeded']);
    expect(f.server.from(APPLIANCE).some((r) => r.update?.release === 'v1.0.51' && r.update.phase === 'failed')).toBe(false);
  });
});

describe('a deferral window', () => {
  const windows = (text: string): DeferWindow[] => {
    const parsed = parseDeferWindows(text);
    if ('errors' in parsed) throw new Error(parsed.errors.join('; '));
    return parsed.windows;
  };

  it('reports deferUntil and starts nothing inside the window, then updates once it closes', async () => {
    // The fixture's clock starts on Monday 2026-02-02 at 12:00 UTC.
    f.answer(f.release('1.0.51'));
    const agent = f.agent({ deferWindows: windows('mon-fri 11:00-13:00, sat 10:00-12:00') });
    agent.start();
    await reported(agent, () => f.clock.now() >= Date.parse('2026-02-02T12:59:00Z'), 'the end of the window');

    const inside = f.server.from(APPLIANCE);
    expect(inside.length).toBeGreaterThan(30);
    for (const report of inside) expect(report).toMatchObject({ deferUntil: '2026-02-02T13:00:00.000Z', update: null });
    expect(f.images.requests).toEqual([]);

    const last = await reported(agent, (r) => r.update?.phase === 'succeeded', 'succeeded');
    expect(last.deferUntil).toBeNull();
    const started = f.events.find((e) => e.type === 'phase' && e.phase === 'downloading');
    expect(started!.at).toBeGreaterThanOrEqual(Date.parse('2026-02-02T13:00:00Z'));
  });
});

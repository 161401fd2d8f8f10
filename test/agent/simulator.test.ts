import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BEHAVIOURS, type Behaviour } from '../../agent/simulator/behaviours.js';
import { behaviourFor, parseProfile } from '../../agent/simulator/profile.js';
import { startSimulator, type Simulator } from '../../agent/simulator/simulator.js';
import { parseTokens } from '../../agent/simulator/tokens.js';
import { CheckinServer } from './helpers/checkin-server.js';
import { eventually } from '../helpers/eventually.js';
import { ImageServer } from './helpers/image-server.js';
import { ManualClock } from '../helpers/manual-clock.js';

const START = Date.parse('2026-02-02T12:00:00Z');
const identities = BEHAVIOURS.map((b) => ({ appliance: `sim-${b}`, token: `token-${b}` }));
const tokenMap = Object.fromEntries(identities.map((i) => [i.token, i.appliance]));
const profile = {
  default: 'healthy' as Behaviour,
  rules: BEHAVIOURS.map((b) => ({ pattern: `sim-${b}`, behaviour: b })),
  initialVersion: { agentVersion: '1.0.45', imageVersion: '45' },
};

let server: CheckinServer;
let images: ImageServer;
let clock: ManualClock;
let simulator: Simulator | null = null;
beforeEach(async () => {
  server = await new CheckinServer(tokenMap).start();
  images = await new ImageServer().start();
  clock = new ManualClock(START);
});
afterEach(async () => {
  await simulator?.stop();
  simulator = null;
  await server.close();
  await images.close();
});

const status = (b: Behaviour) => simulator!.status().find((s) => s.behaviour === b)!;

describe('the fleet simulator', () => {
  it('plays every behaviour through the real check-in protocol, each producing its reports', async () => {
    const image = images.put('v1.0.51.img', Buffer.from('image 1.0.51'));
    const target = { name: 'v1.0.51', version: '1.0.51', image: { version: '51', ...image } };
    server.answer = () => ({ target, retention: null, checkinIntervalSeconds: 30 });
    simulator = startSimulator({ server: server.url, identities, profile, clock, random: () => 0.5, maxAttempts: 3 });

    await eventually(
      () =>
        status('healthy').phase === 'succeeded' &&
        status('slow-download').phase === 'succeeded' &&
        status('corrupt-image').phase === 'failed' &&
        status('corrupt-image').attempt === 3 &&
        status('crash-mid-install').crashed &&
        clock.now() > START + 3_600_000,
      { clock, timeoutMs: 25_000, what: () => `every behaviour to play out at ${new Date(clock.now()).toISOString()} next timer ${clock.nextTimerAt()}: ${JSON.stringify(simulator!.status())}` },
    );
    const from = (b: Behaviour) => server.from(`sim-${b}`);

    expect(from('healthy').at(-1)).toMatchObject({ agentVersion: '1.0.51', imageVersion: '51', update: { release: 'v1.0.51', phase: 'succeeded', attempt: 1 } });
    expect(from('slow-download').at(-1)).toMatchObject({ agentVersion: '1.0.51', update: { phase: 'succeeded' } });
    const succeededAt = (b: Behaviour) => Date.parse(from(b).find((r) => r.update?.phase === 'succeeded')!.update!.since);
    expect(succeededAt('slow-download')).toBeGreaterThan(succeededAt('healthy'));

    expect(from('offline')).toHaveLength(1);
    expect(status('offline').crashed).toBe(true);

    const corrupt = from('corrupt-image').at(-1)!;
    expect(corrupt.update).toMatchObject({ phase: 'failed', attempt: 3 });
    expect(corrupt.update!.error).toMatch(new RegExp(`^sha256 mismatch: expected ${image.sha256}, got [0-9a-f]{64}$`));
    expect(corrupt.agentVersion).toBe('1.0.45');

    const ignoring = from('ignores-updates');
    expect(ignoring.length).toBeGreaterThan(60);
    expect(ignoring.every((r) => r.update === null && r.agentVersion === '1.0.45')).toBe(true);

    const stuck = from('stuck-downloading');
    expect(stuck.at(-1)!.update).toMatchObject({ phase: 'downloading', attempt: 1 });
    expect(new Set(stuck.filter((r) => r.update).map((r) => r.update!.since)).size).toBe(1);
    expect(Date.parse(stuck.at(-1)!.update!.since)).toBeLessThan(START + 60_000);

    const crashed = from('crash-mid-install');
    expect(crashed.at(-1)!.update).toMatchObject({ phase: 'installing' });
    const crashedCheckins = crashed.length;
    clock.advance(3_600_000);
    expect(server.from('sim-crash-mid-install')).toHaveLength(crashedCheckins);

    // Every simulated appliance reports a retention status, as the real agent does.
    expect(from('healthy').at(-1)!.retention).toMatchObject({ policyHash: null, incidents: expect.any(Number) });
  });

  it('downloads and verifies images for real when asked, a corrupt one failing with both hashes', async () => {
    const image = images.put('v1.0.52.img', Buffer.alloc(50_000, 7));
    const target = { name: 'v1.0.52', version: '1.0.52', image: { version: '52', ...image } };
    server.answer = () => ({ target, retention: null, checkinIntervalSeconds: 30 });
    const two = identities.filter((i) => i.appliance === 'sim-healthy' || i.appliance === 'sim-corrupt-image');
    simulator = startSimulator({ server: server.url, identities: two, profile, clock, random: () => 0.5, maxAttempts: 1, download: 'real', speed: 10 });

    await eventually(() => status('healthy').phase === 'succeeded' && status('corrupt-image').phase === 'failed', { clock, what: 'both done' });
    expect(images.requests.filter((r) => r.status === 200)).toHaveLength(2);
    const flipped = Buffer.alloc(50_000, 7);
    flipped[0] = 7 ^ 0xff;
    const { createHash } = await import('node:crypto');
    const got = createHash('sha256').update(flipped).digest('hex');
    expect(status('corrupt-image').error).toBe(`sha256 mismatch: expected ${image.sha256}, got ${got}`);
  });

  it('runs faster with --speed: the same update takes a tenth of the simulated time', async () => {
    const image = images.put('v1.0.51.img', Buffer.from('x'));
    const target = { name: 'v1.0.51', version: '1.0.51', image: { version: '51', ...image } };
    server.answer = () => ({ target, retention: null, checkinIntervalSeconds: 5 });
    const healthy = identities.filter((i) => i.appliance === 'sim-healthy');
    const timeToSuccess = async (speed: number) => {
      const start = clock.now();
      simulator = startSimulator({ server: server.url, identities: healthy, profile, clock, random: () => 0.5, speed, startSpreadMs: 0 });
      await eventually(() => status('healthy').phase === 'succeeded', { clock, what: `success at speed ${speed}` });
      await simulator.stop();
      simulator = null;
      return clock.now() - start;
    };
    const slow = await timeToSuccess(1);
    const fast = await timeToSuccess(10);
    expect(fast).toBeLessThan(slow / 5);
  });
});

describe('simulator inputs', () => {
  it('reads a profile: exact ids first, then patterns in order, then the default', () => {
    const parsed = parseProfile({ default: 'healthy', appliances: { 'clinic-*': 'slow-download', 'clinic-b-0?': 'offline', 'clinic-b-01': 'corrupt-image' } });
    if ('errors' in parsed) throw new Error(parsed.errors.join());
    const rows = [
      { name: 'exact id', given: 'clinic-b-01', want: 'corrupt-image' },
      { name: 'first matching pattern', given: 'clinic-b-02', want: 'slow-download' },
      { name: 'no match', given: 'vm-01', want: 'healthy' },
    ];
    for (const { given, want } of rows) expect(behaviourFor(parsed.profile, given)).toBe(want);
  });

  it('reports profile mistakes as errors', () => {
    expect(parseProfile({ default: 'grumpy', appliances: { x: 'asleep' }, extra: 1 })).toEqual({
      errors: [
        'unknown field "extra"',
        `default: "grumpy" is not one of ${BEHAVIOURS.join(', ')}`,
        `appliances["x"]: "asleep" is not one of ${BEHAVIOURS.join(', ')}`,
      ],
    });
  });

  it('reads the tokens that `muster appliance token --all --format json` prints', () => {
    expect(parseTokens({ tokens: [{ appliance: 'a', token: 't1' }] })).toEqual({ tokens: [{ appliance: 'a', token: 't1' }] });
    expect(parseTokens([{ appliance: 'b', token: 't2' }])).toEqual({ tokens: [{ appliance: 'b', token: 't2' }] });
    expect(parseTokens({ tokens: [{ appliance: 'c' }] })).toEqual({ errors: ['tokens[0]: expected {"appliance": "…", "token": "…"}'] });
  });
});

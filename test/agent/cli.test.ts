import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentFixture, APPLIANCE, TOKEN } from './helpers/agent-fixture.js';
import { eventually } from '../helpers/eventually.js';

const CLI = join(import.meta.dirname, '../../dist/agent/cli/main.js');

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

const logLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { msg: string; level: number; [key: string]: unknown });

let f: AgentFixture;
const children: ChildProcess[] = [];
beforeEach(async () => {
  f = await new AgentFixture().start();
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await f.close();
});

describe('muster-agent', () => {
  it('--once checks in, installs the target, reports success and exits 0, logging JSON lines on stderr', async () => {
    f.answer(f.release('1.0.51'));
    const r = run(['--server', f.server.url, '--state-dir', f.stateDir, '--version-file', f.versionFile, '--install-cmd', f.installCmd, '--once'], {
      MUSTER_AGENT_TOKEN: TOKEN,
    });
    children.push(r.child);
    expect(await r.exit).toBe(0);
    expect(f.server.from(APPLIANCE).at(-1)).toMatchObject({ agentVersion: '1.0.51', update: { phase: 'succeeded', attempt: 1 } });
    const messages = logLines(r.stderr()).map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['agent starting', 'update downloading', 'update succeeded', 'agent done']));
  });

  it('--once exits 1 when the controller refuses the token', async () => {
    const r = run(['--server', f.server.url, '--token', 'wrong', '--state-dir', f.stateDir, '--once']);
    children.push(r.child);
    expect(await r.exit).toBe(1);
    expect(logLines(r.stderr()).find((l) => l.msg === 'check-in failed')).toMatchObject({ outcome: 'unauthorized' });
  });

  it('stops cleanly on SIGTERM', async () => {
    f.answer(null);
    const r = run(['--server', f.server.url, '--token', TOKEN, '--state-dir', f.stateDir]);
    children.push(r.child);
    await eventually(() => f.server.from(APPLIANCE).length > 0, { what: 'a check-in' });
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    expect(logLines(r.stderr()).map((l) => l.msg)).toEqual(expect.arrayContaining(['agent stopping', 'agent stopped']));
  });

  it.each([
    { name: 'missing flags', given: ['--server', 'http://127.0.0.1:1'], want: 'missing --token, --state-dir' },
    { name: 'a bad deferral window', given: ['--server', 'http://x', '--token', 't', '--state-dir', 'd', '--defer-window', 'mon 9-5'], want: 'defer window "mon 9-5"' },
    { name: 'an unreadable CA', given: ['--server', 'http://x', '--token', 't', '--state-dir', 'd', '--ca', 'no-such.pem'], want: 'cannot read --ca no-such.pem' },
    { name: 'a bad number', given: ['--max-attempts', 'many'], want: 'expected a whole number' },
  ])('exits 2 on $name', async ({ given, want }) => {
    const r = run(given);
    children.push(r.child);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toContain(want);
  });
});

describe('muster-agent simulate', () => {
  it('plays the appliances of a tokens file with the behaviours of a profile, and stops on SIGINT', async () => {
    const tokens = join(f.dir, 'tokens.json');
    const profile = join(f.dir, 'profile.json');
    writeFileSync(tokens, JSON.stringify({ tokens: [{ appliance: APPLIANCE, token: TOKEN }] }));
    writeFileSync(profile, JSON.stringify({ default: 'healthy', appliances: { 'clinic-*': 'ignores-updates' }, initialVersion: { agentVersion: '1.0.45', imageVersion: '45' } }));
    f.answer(f.release('1.0.51'), null, 1);
    const r = run(['simulate', '--server', f.server.url, '--tokens', tokens, '--profile', profile, '--speed', '100']);
    children.push(r.child);
    await eventually(() => f.server.from(APPLIANCE).length >= 2, { what: 'two check-ins' });
    r.child.kill('SIGINT');
    expect(await r.exit).toBe(0);
    expect(f.server.from(APPLIANCE).every((c) => c.update === null && c.agentVersion === '1.0.45')).toBe(true);
    const lines = logLines(r.stderr());
    expect(lines[0]).toMatchObject({ msg: 'simulator started', appliances: 1 });
    expect(lines.at(-1)).toMatchObject({ msg: 'simulator stopped', phases: { idle: 1 } });
  });

  it('exits 2 when --count exceeds the tokens', async () => {
    const tokens = join(f.dir, 'tokens.json');
    writeFileSync(tokens, JSON.stringify({ tokens: [{ appliance: APPLIANCE, token: TOKEN }] }));
    const r = run(['simulate', '--server', f.server.url, '--tokens', tokens, '--count', '3']);
    children.push(r.child);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toContain('--count 3 but');
  });
});

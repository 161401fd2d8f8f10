import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerCommands } from '../../controller/cli/commands/index.js';
import pkg from '../../package.json' with { type: 'json' };

const unit = readFileSync('manifests/systemd/muster-controller.service', 'utf8');
const env = readFileSync('manifests/systemd/muster.env', 'utf8');

function directive(name: string): string {
  const line = unit.split('\n').find((l) => l.startsWith(`${name}=`));
  if (line === undefined) throw new Error(`no ${name}= in the unit`);
  return line.slice(name.length + 1);
}

describe('the systemd unit', () => {
  it('runs the built CLI entry point named in package.json, with the collector flag of every launcher', () => {
    const [node, flag, entry] = directive('ExecStart').split(' ');
    expect(node).toMatch(/\/node$/);
    expect(flag).toBe('--single-threaded-gc');
    expect(entry).toBe(`/opt/muster/${pkg.bin.muster}`);
  });

  it('names a command and flags that the CLI defines', async () => {
    const args = directive('ExecStart').split(' ').slice(3);
    const program = new Command('muster');
    await registerCommands(program);
    const command = program.commands.find((c) => c.name() === args[0]);
    expect(command, `muster ${args[0]} exists`).toBeDefined();
    const flags = args.filter((a) => a.startsWith('--'));
    const known = new Set(command?.options.map((o) => o.long));
    for (const flag of flags) expect(known.has(flag), `${flag} is a flag of muster ${args[0]}`).toBe(true);
  });

  it('takes every variable it uses from the environment file', () => {
    const used = [...unit.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    const defined = new Set([...env.matchAll(/^(\w+)=/gm)].map((m) => m[1]));
    for (const name of used) expect(defined.has(name), `${name} is in muster.env`).toBe(true);
    expect(defined.has('MUSTER_DB')).toBe(true);
  });

  it('is hardened: its own user, read-only system, restart on failure', () => {
    expect(directive('User')).toBe('muster');
    expect(directive('ProtectSystem')).toBe('strict');
    expect(directive('NoNewPrivileges')).toBe('true');
    expect(directive('Restart')).toBe('on-failure');
  });
});

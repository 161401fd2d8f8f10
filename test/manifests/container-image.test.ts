import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { cliFlags, controllerEnvironment, listenPort, probeRoutes } from './cli-surface.js';

const dockerfile = readFileSync('Dockerfile', 'utf8');
const lines = dockerfile.split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#'));
const stages = lines.filter((l) => l.startsWith('FROM '));
const finalStage = lines.slice(lines.lastIndexOf(stages[stages.length - 1] as string));
const instruction = (name: string, within = lines) => within.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1));

type Service = { command?: string[]; environment?: Record<string, string>; env_file?: string; ports?: string[]; read_only?: boolean; user?: string; depends_on?: Record<string, unknown>; healthcheck?: { test: string[] } };
const compose = parse(readFileSync('manifests/compose/compose.yaml', 'utf8')) as { services: Record<string, Service> };
const envExample = readFileSync('manifests/compose/muster.env.example', 'utf8');

describe('the container image (Dockerfile)', () => {
  it('builds in one stage and runs from another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(instruction('COPY', finalStage).some((c) => c.startsWith('--from=build'))).toBe(true);
  });

  it('ships no dev dependencies and runs as a non-root user', () => {
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    const user = instruction('USER', finalStage).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('starts the CLI entry point of package.json, listening on the port it exposes', async () => {
    const entrypoint = JSON.parse(instruction('ENTRYPOINT', finalStage).at(-1) as string) as string[];
    // With the collector flag every launcher of the controller passes (docs/controller.md).
    expect(entrypoint).toEqual(['node', '--single-threaded-gc', `/opt/muster/${pkg.bin.muster}`]);
    const cmd = JSON.parse(instruction('CMD', finalStage).at(-1) as string) as string[];
    const known = await cliFlags(cmd[0] as string);
    for (const flag of cmd.filter((a) => a.startsWith('--'))) expect(known.has(flag), `${flag} is a flag of muster ${cmd[0]}`).toBe(true);
    expect(instruction('EXPOSE', finalStage)).toEqual([String(listenPort(cmd))]);
  });
});

describe('the compose file for one VPS', () => {
  const controller = compose.services.controller as Service;

  it('runs the controller beside PostgreSQL, once the database is healthy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['controller', 'postgres']);
    expect(controller.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(controller.environment?.MUSTER_DB).toMatch(/^postgres:\/\/muster:\$\{POSTGRES_PASSWORD\}@postgres:5432\/muster$/);
  });

  it('names a command and flags the CLI defines, and publishes the port it listens on', async () => {
    const [command, ...args] = controller.command as string[];
    const known = await cliFlags(command as string);
    for (const flag of args.filter((a) => a.startsWith('--'))) expect(known.has(flag), `${flag} is a flag of muster ${command}`).toBe(true);
    const port = listenPort(args);
    expect(controller.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    expect(controller.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port}/readyz`);
    expect(probeRoutes().has('/readyz')).toBe(true);
  });

  it('takes every variable it uses from the example settings, each one the controller reads or compose needs', () => {
    const text = readFileSync('manifests/compose/compose.yaml', 'utf8');
    const used = new Set([...text.matchAll(/\$\{(\w+)/g)].map((m) => m[1] as string));
    const defined = new Set([...envExample.matchAll(/^(\w+)=/gm)].map((m) => m[1] as string));
    for (const name of used) expect(defined.has(name), `${name} is in muster.env.example`).toBe(true);
    const read = controllerEnvironment();
    const forCompose = new Set(['POSTGRES_PASSWORD', 'MUSTER_REPO', 'MUSTER_BRANCH']);
    for (const name of defined) expect(read.has(name) || forCompose.has(name), `${name} is read by the controller or filled into compose.yaml`).toBe(true);
  });

  it('is hardened: non-root, read-only root filesystem', () => {
    expect(controller.read_only).toBe(true);
    expect(controller.user).not.toMatch(/^(root|0)(:|$)/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckinResponse } from '../../../controller/observed/checkin-response-schema.js';
import type { AgentEvent } from '../../../agent/core/events.js';
import { createApplianceAgent, type ApplianceAgentConfig } from '../../../agent/core/appliance-agent.js';
import { silentLogger } from '../../../agent/core/logger.js';
import type { Agent } from '../../../agent/core/agent.js';
import { CheckinServer } from './checkin-server.js';
import { ImageServer } from './image-server.js';
import { ManualClock } from '../../helpers/manual-clock.js';

export const APPLIANCE = 'clinic-a-01';
export const TOKEN = 'token-clinic-a-01';

export type Target = NonNullable<CheckinResponse['target']>;

/**
 * A temp directory, a real image server, a real check-in endpoint, a manual clock and an installer
 * hook that writes the version file: everything an appliance agent meets, on loopback.
 */
export class AgentFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'muster-agent-'));
  readonly stateDir = join(this.dir, 'state');
  readonly versionFile = join(this.dir, 'version.json');
  readonly installLog = join(this.dir, 'install.log');
  readonly installCmd: string;
  readonly clock = new ManualClock(Date.parse('2026-02-02T12:00:00Z'));
  readonly images = new ImageServer();
  readonly server = new CheckinServer({ [TOKEN]: APPLIANCE });
  readonly events: AgentEvent[] = [];
  private readonly running: { agent: Agent; close: () => Promise<void> }[] = [];

  constructor() {
    const script = join(this.dir, 'install.sh');
    // Records its arguments and environment, fails on demand, and writes the version file as the real hook does.
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        `echo "$1 $2 $MUSTER_IMAGE $MUSTER_VERSION $MUSTER_RELEASE" >> "${this.installLog}"`,
        'test -f "$1" || { echo "no image at $1" >&2; exit 3; }',
        `if [ -f "${join(this.dir, 'fail-install')}" ]; then echo "disk full" >&2; exit 4; fi`,
        `printf '{"agentVersion":"%s","imageVersion":"%s"}' "$2" "$MUSTER_IMAGE_VERSION" > "${this.versionFile}"`,
      ].join('\n'),
    );
    this.installCmd = `sh ${script}`;
    this.writeVersion('1.0.45', '45');
  }

  async start(): Promise<this> {
    await this.images.start();
    await this.server.start();
    return this;
  }

  writeVersion(agentVersion: string, imageVersion: string): void {
    writeFileSync(this.versionFile, JSON.stringify({ agentVersion, imageVersion }));
  }

  /** Serves an image of `size` bytes and returns a target for it. */
  release(version: string, size = 300_000, fill = version): Target {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (fill.charCodeAt(i % fill.length) + i) & 0xff;
    const image = this.images.put(`image-${version}.img`, bytes);
    return { name: `v${version}`, version, image: { version: version.split('.').at(-1) as string, ...image } };
  }

  /** Answers every check-in with this target and retention. */
  answer(target: Target | null, retention: CheckinResponse['retention'] = null, checkinIntervalSeconds = 60): void {
    this.server.answer = () => ({ target, retention, checkinIntervalSeconds });
  }

  /** A new agent on the fixture's state directory (a restart when one ran before). */
  agent(config: Partial<ApplianceAgentConfig> = {}): Agent {
    const made = createApplianceAgent(
      {
        server: this.server.url,
        token: TOKEN,
        stateDir: this.stateDir,
        versionFile: this.versionFile,
        installCmd: this.installCmd,
        timeZone: 'UTC',
        ...config,
      },
      { clock: this.clock, random: () => 0.5, logger: silentLogger, onEvent: (e) => this.events.push(e) },
    );
    this.running.push(made);
    return made.agent;
  }

  /** Stops and releases every agent this fixture made. */
  async stopAgents(): Promise<void> {
    for (const made of this.running.splice(0)) await made.close();
  }

  phases(): string[] {
    return this.events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
  }

  lastReport() {
    return this.server.from(APPLIANCE).at(-1);
  }

  async close(): Promise<void> {
    await this.stopAgents();
    await this.images.close();
    await this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

import { join } from 'node:path';
import type { Clock } from '../../lib/clock.js';
import { checkIn } from '../protocol/checkin-client.js';
import { createHttpFetch } from '../protocol/http-fetch.js';
import { createIncidentsRetention } from '../retention/incidents-retention.js';
import { SqliteStateStore } from '../state/sqlite-state-store.js';
import type { DeferWindow } from '../update/defer-window.js';
import { createFileExecutor } from '../update/file-executor.js';
import { readVersionFile } from '../update/version-file.js';
import { Agent } from './agent.js';
import type { AgentEvent } from './events.js';
import type { Logger } from './logger.js';

/** How an appliance's agent is set up: the `muster-agent` flags, parsed. */
export interface ApplianceAgentConfig {
  server: string;
  token: string;
  stateDir: string;
  /** PEM text of the CA that signs the controller's certificate (`--ca`). */
  ca?: string;
  /** Default: `version.json` in the state directory. */
  versionFile?: string;
  installCmd?: string;
  incidentsDb?: string;
  deferWindows?: readonly DeferWindow[];
  timeZone?: string;
  maxAttempts?: number;
  rebootTimeoutMs?: number;
}

export interface ApplianceAgentRuntime {
  clock: Clock;
  random?: () => number;
  logger: Logger;
  onEvent?: (event: AgentEvent) => void;
}

/**
 * Assembles the agent of a real appliance: state in `stateDir/agent-state.db`, images downloaded to
 * `stateDir/images/`, check-ins and downloads over one HTTP(S) pool trusting `ca` when given.
 * `close` stops the agent and releases the database and the connections.
 */
export function createApplianceAgent(config: ApplianceAgentConfig, runtime: ApplianceAgentRuntime): { agent: Agent; close: () => Promise<void> } {
  const http = createHttpFetch(config.ca !== undefined ? { ca: config.ca } : {});
  const store = new SqliteStateStore(config.stateDir, () => runtime.clock.now());
  const versionFile = config.versionFile ?? join(config.stateDir, 'version.json');
  let warnedVersionFile = false;
  const agent = new Agent(
    {
      clock: runtime.clock,
      ...(runtime.random ? { random: runtime.random } : {}),
      store,
      checkin: (report, signal) =>
        checkIn({ server: config.server, token: config.token, report, fetch: http.fetch, now: runtime.clock.now(), signal }),
      readRunning: async () => {
        const running = await readVersionFile(versionFile);
        if (running.problem && !warnedVersionFile) runtime.logger.warn({ versionFile }, running.problem);
        warnedVersionFile ||= running.problem !== undefined;
        return { agentVersion: running.agentVersion, imageVersion: running.imageVersion };
      },
      executor: createFileExecutor({ imagesDir: join(config.stateDir, 'images'), fetch: http.fetch, installCmd: config.installCmd ?? null }),
      retention: config.incidentsDb ? createIncidentsRetention(config.incidentsDb) : null,
      logger: runtime.logger,
      ...(runtime.onEvent ? { onEvent: runtime.onEvent } : {}),
    },
    {
      ...(config.maxAttempts !== undefined ? { maxAttempts: config.maxAttempts } : {}),
      ...(config.rebootTimeoutMs !== undefined ? { rebootTimeoutMs: config.rebootTimeoutMs } : {}),
      ...(config.deferWindows ? { deferWindows: config.deferWindows } : {}),
      ...(config.timeZone ? { timeZone: config.timeZone } : {}),
    },
  );
  return {
    agent,
    close: async () => {
      await agent.stop();
      store.close();
      await http.close();
    },
  };
}

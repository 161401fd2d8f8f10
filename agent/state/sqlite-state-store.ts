import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UPDATE_PHASES, type UpdatePhase } from '../../protocol/checkin-request.js';
import { INITIAL_STATE, type LocalState, type StateStore } from './local-state.js';

/** Column of agent_state for each LocalState field; JSON columns hold objects. */
const COLUMNS: Record<keyof LocalState, { column: string; json?: true; bool?: true }> = {
  serverTarget: { column: 'server_target', json: true },
  work: { column: 'work_target', json: true },
  phase: { column: 'phase' },
  since: { column: 'since_ms' },
  attempt: { column: 'attempt' },
  error: { column: 'last_error' },
  nextAttemptAt: { column: 'next_attempt_at_ms' },
  verified: { column: 'verified', bool: true },
  downloadedBytes: { column: 'download_bytes' },
  downloadTotal: { column: 'download_total' },
  downloadValidator: { column: 'download_validator' },
  deferUntil: { column: 'defer_until_ms' },
  retention: { column: 'retention_policy', json: true },
  appliedPolicyHash: { column: 'applied_policy_hash' },
  lastPrunedAt: { column: 'last_pruned_at_ms' },
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS agent_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  server_target TEXT, work_target TEXT,
  phase TEXT, since_ms INTEGER, attempt INTEGER NOT NULL DEFAULT 0, last_error TEXT,
  next_attempt_at_ms INTEGER, verified INTEGER NOT NULL DEFAULT 0,
  download_bytes INTEGER NOT NULL DEFAULT 0, download_total INTEGER, download_validator TEXT,
  defer_until_ms INTEGER,
  retention_policy TEXT, applied_policy_hash TEXT, last_pruned_at_ms INTEGER,
  updated_at_ms INTEGER
);
INSERT OR IGNORE INTO agent_state (id) VALUES (1);
`;

/** The file in the state directory that holds the agent's state. */
export const STATE_FILE = 'agent-state.db';

/**
 * The agent's state in `DIR/agent-state.db` (created with the directory when missing), one row
 * rewritten per change in WAL mode, so a restart or a power cut resumes from the last saved step.
 */
export class SqliteStateStore implements StateStore {
  private readonly db: Database.Database;
  private state: LocalState;

  constructor(stateDir: string, private readonly now: () => number) {
    mkdirSync(stateDir, { recursive: true });
    this.db = new Database(join(stateDir, STATE_FILE));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.db.pragma('user_version = 1');
    this.state = this.read();
  }

  load(): LocalState {
    return this.state;
  }

  save(patch: Partial<LocalState>): LocalState {
    const entries = Object.entries(patch) as [keyof LocalState, unknown][];
    if (!entries.length) return this.state;
    const sets = entries.map(([key]) => `${COLUMNS[key].column} = ?`).join(', ');
    const values = entries.map(([key, value]) => toColumn(key, value));
    this.db.prepare(`UPDATE agent_state SET ${sets}, updated_at_ms = ? WHERE id = 1`).run(...values, this.now());
    this.state = { ...this.state, ...patch };
    return this.state;
  }

  close(): void {
    this.db.close();
  }

  private read(): LocalState {
    const row = this.db.prepare('SELECT * FROM agent_state WHERE id = 1').get() as Record<string, unknown>;
    const state: Record<string, unknown> = { ...INITIAL_STATE };
    for (const [key, spec] of Object.entries(COLUMNS)) {
      const value = row[spec.column];
      if (value === null || value === undefined) continue;
      state[key] = spec.json ? JSON.parse(String(value)) : spec.bool ? value === 1 : value;
    }
    if (state.phase !== null && !UPDATE_PHASES.includes(state.phase as UpdatePhase)) state.phase = null;
    return state as unknown as LocalState;
  }
}

function toColumn(key: keyof LocalState, value: unknown): unknown {
  const spec = COLUMNS[key];
  if (value === null || value === undefined) return null;
  if (spec.json) return JSON.stringify(value);
  if (spec.bool) return value ? 1 : 0;
  return value;
}

import pg from 'pg';
import { guarded } from './postgres-errors.js';
import type { Leadership } from './store.js';

/** The advisory lock every Muster controller on one database competes for. */
const LOCK_KEY = "hashtextextended('muster.dev/controller', 0)";

export interface PostgresLeadershipOptions {
  /**
   * How often the lock connection is checked, so a silently dead connection is noticed (ms). A leader
   * silent for three of these (frozen) has its session ended by the server and loses the lock.
   */
  heartbeatMs: number;
}

/**
 * Tries the controller lock: a session advisory lock held on a dedicated connection (not a pooled
 * one, whose session could be reused). Resolves null when another session holds it. The returned
 * leadership reports loss the moment that connection errors or ends — the server terminated it,
 * the network dropped, or a heartbeat got no answer — since the lock went with the session.
 */
export async function acquirePostgresLeadership(url: string, options: PostgresLeadershipOptions): Promise<Leadership | null> {
  const client = new pg.Client({ connectionString: url, keepAlive: true, query_timeout: options.heartbeatMs * 2 });
  // Errors before the lock is won are reported by connect() or query(); afterwards by the leadership.
  client.on('error', () => {});
  try {
    await guarded(() => client.connect());
    const result = await guarded(() => client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`));
    if (result.rows[0]?.locked !== true) {
      await client.end();
      return null;
    }
    // A frozen leader (SIGSTOP, a VM paused, a stalled host) keeps its socket open, so nothing else
    // would ever free the lock: the server ends a session silent for three heartbeats, and the lock
    // with it. Servers before PostgreSQL 14 do not know the setting; they keep the old behaviour.
    await client.query(`SET idle_session_timeout = ${Math.max(1, Math.round(options.heartbeatMs * 3))}`).catch(() => {});
  } catch (err) {
    await client.end().catch(() => {});
    throw err;
  }
  return new AdvisoryLeadership(client, options.heartbeatMs);
}

class AdvisoryLeadership implements Leadership {
  private held = true;
  private lostReason: Error | null = null;
  private readonly listeners: ((reason: Error) => void)[] = [];
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(
    private readonly client: pg.Client,
    heartbeatMs: number,
  ) {
    client.on('error', (err) => this.lose(err));
    client.on('end', () => this.lose(new Error('the leader connection to PostgreSQL ended')));
    // Real timers, not the injected Clock: the heartbeat keeps pace with the server's idle_session_timeout,
    // which counts real time, so a test's manual clock standing still must not let the session lapse.
    this.heartbeat = setInterval(() => {
      client.query('SELECT 1').catch((err: unknown) => this.lose(err instanceof Error ? err : new Error(String(err))));
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  isLeader(): boolean {
    return this.held;
  }

  onLost(listener: (reason: Error) => void): void {
    if (this.lostReason) listener(this.lostReason);
    else if (this.held) this.listeners.push(listener);
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    clearInterval(this.heartbeat);
    // Ending the session releases the lock; unlocking first hands it over without waiting for the socket to close.
    await this.client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`).catch(() => {});
    await this.client.end().catch(() => {});
  }

  private lose(reason: Error): void {
    if (!this.held) return;
    this.held = false;
    this.lostReason = reason;
    clearInterval(this.heartbeat);
    for (const listener of this.listeners.splice(0)) listener(reason);
    this.client.end().catch(() => {});
  }
}

import Database from 'better-sqlite3';
import { createIncidentsSchema } from '../../agent/retention/incidents-schema.js';

export interface IncidentsFixtureOptions {
  /** Incidents to create (default 30,000). */
  incidents?: number;
  /** The newest incident is just before this instant (epoch ms). */
  now: number;
  /** Incidents are spread over this many days before `now` (default 120). */
  spanDays?: number;
  /** Distinct detection patterns (default 300); some incidents have none. */
  patterns?: number;
  /** Share of patterns retired halfway through the span: only older incidents have them (default 0.1). */
  retiredPatternShare?: number;
  /** Share of incidents left unresolved (default 0.04). */
  unresolvedShare?: number;
  /** Share of incidents with learning feedback, one to three rows each (default 0.3). */
  feedbackShare?: number;
  /** Seed of the generator: the same options always build the same database. */
  seed?: number;
}

export interface IncidentsFixture {
  incidents: number;
  feedback: number;
  patternStats: number;
}

const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
const VERDICTS = ['true_positive', 'false_positive', 'duplicate'] as const;
const DAY_MS = 86_400_000;

/** A small fast PRNG (mulberry32): deterministic data from a seed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Creates an incidents database at `path` the way an appliance fills one: incidents spread over
 * `spanDays` with more of them recent, most resolved within days, a few unresolved at every age,
 * feedback on some, patterns of which some were retired long ago, and one pattern_stats row per
 * pattern that has incidents. Returns the row counts.
 */
export function buildIncidentsDatabase(path: string, options: IncidentsFixtureOptions): IncidentsFixture {
  const random = generator(options.seed ?? 1);
  const count = options.incidents ?? 30_000;
  const span = (options.spanDays ?? 120) * DAY_MS;
  const patterns = options.patterns ?? 300;
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  createIncidentsSchema(db);
  const insertIncident = db.prepare(
    'INSERT INTO incidents (id, pattern_id, created_at, resolved_at, severity, summary, details) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertFeedback = db.prepare('INSERT INTO learning_feedback (incident_id, verdict, note, created_at) VALUES (?, ?, ?, ?)');
  const insertStats = db.prepare(
    'INSERT INTO pattern_stats (pattern_id, hits, false_positives, last_seen_at, weight) VALUES (?, ?, ?, ?, ?)',
  );
  const active = Math.max(1, Math.round(patterns * (1 - (options.retiredPatternShare ?? 0.1))));
  // A retired detection rule no longer fires: recent incidents draw from the active patterns only.
  const patternFor = (index: number, old: boolean) => `pat-${String(old ? index : index % active).padStart(4, '0')}`;
  const stats = new Map<string, { hits: number; falsePositives: number; lastSeen: number }>();
  let feedback = 0;

  db.transaction(() => {
    for (let id = 1; id <= count; id++) {
      // Squaring the draw puts more incidents near `now`, as a growing fleet produces them.
      const created = options.now - Math.floor(random() ** 2 * span) - 1;
      const pattern = random() < 0.05 ? null : patternFor(Math.floor(random() ** 1.5 * patterns), options.now - created > span / 2);
      const unresolved = random() < (options.unresolvedShare ?? 0.04);
      const resolved = unresolved ? null : Math.min(options.now - 1, created + Math.floor(random() * 5 * DAY_MS));
      const severity = SEVERITIES[Math.floor(random() * SEVERITIES.length)] as string;
      const details = JSON.stringify({ host: `svc-${id % 17}`, count: 1 + Math.floor(random() * 40) });
      insertIncident.run(id, pattern, iso(created), resolved === null ? null : iso(resolved), severity, `${severity} incident ${id}`, details);
      const entry = pattern === null ? null : (stats.get(pattern) ?? { hits: 0, falsePositives: 0, lastSeen: 0 });
      if (pattern !== null && entry) {
        entry.hits++;
        entry.lastSeen = Math.max(entry.lastSeen, created);
        stats.set(pattern, entry);
      }
      if (random() < (options.feedbackShare ?? 0.3)) {
        for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
          const verdict = VERDICTS[Math.floor(random() * VERDICTS.length)] as string;
          insertFeedback.run(id, verdict, random() < 0.3 ? 'checked on site' : null, iso(created + Math.floor(random() * DAY_MS)));
          feedback++;
          if (entry && verdict === 'false_positive') entry.falsePositives++;
        }
      }
    }
  })();
  db.transaction(() => {
    for (const [pattern, s] of stats) insertStats.run(pattern, s.hits, s.falsePositives, iso(s.lastSeen), 1 / (1 + s.falsePositives));
  })();
  db.close();
  return { incidents: count, feedback, patternStats: stats.size };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

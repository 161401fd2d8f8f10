/** What `muster proofs` and `muster proofs upgrade` print: pure renderings of the store's figures. */
import { PROOF_STATUSES, type ProofStats } from '../../store/store.js';
import type { UpgradeReport } from './upgrade-outcome.js';

/** `muster proofs --format json`: the store's figures at `now`. */
export function proofStatsDocument(stats: ProofStats, now: Date): ProofStats & { at: string } {
  return { at: now.toISOString(), ...stats };
}

/** `muster proofs`: counts by status, pending proofs by age, the oldest pending, answers per calendar. */
export function renderProofStats(stats: ProofStats, now: Date): string {
  const lines = [`OpenTimestamps proofs at ${now.toISOString()}`, '', 'By status:'];
  for (const status of PROOF_STATUSES) lines.push(`  ${status.padEnd(10)} ${stats.byStatus[status]}`);
  lines.push('', 'Pending by age:');
  for (const bucket of stats.pendingByAge) lines.push(`  ${bucket.label.padEnd(10)} ${bucket.count}`);
  lines.push('', `Oldest pending: ${stats.oldestPendingAt ? `${stats.oldestPendingAt} (${age(now.getTime() - Date.parse(stats.oldestPendingAt))} old)` : 'none'}`);
  lines.push('', 'Last answer of each calendar, over pending proofs:');
  if (stats.calendars.length === 0) lines.push('  none');
  for (const { calendar, answers } of stats.calendars) lines.push(`  ${calendar}  ${answerList(answers)}`);
  return `${lines.join('\n')}\n`;
}

/** `muster proofs upgrade`: what one run asked and what changed. */
export function renderUpgradeReport(report: UpgradeReport): string {
  if (report.skipped) return `Nothing upgraded: ${report.skipped}.\n`;
  const which = report.includeExpired ? 'pending and expired' : 'pending';
  const lines = [`Checked ${report.checked} ${which} proof${report.checked === 1 ? '' : 's'} at ${report.at} against ${report.calendars.join(', ') || 'no calendar'}`];
  if (report.checked === 0) return `${lines[0]}: none to upgrade.\n`;
  const statuses = Object.entries(report.statuses).map(([s, n]) => `${n} ${s}`);
  lines.push(`Now: ${statuses.join(', ')}`, '', 'Answers by calendar:');
  for (const calendar of Object.keys(report.answers).sort()) lines.push(`  ${calendar}  ${answerList(report.answers[calendar] ?? {})}`);
  lines.push('', report.changes.length ? 'Changed:' : 'Nothing changed.');
  for (const change of report.changes) {
    const status = change.from === change.to ? change.to : `${change.from} → ${change.to}`;
    const answers = change.answers.map((a) => `${a.calendar}: ${a.from ?? 'none'} → ${a.to}`);
    const detail = change.unreadable ? [`unreadable proof: ${change.unreadable}`] : answers;
    lines.push(`  ${change.bundleId}  ${status}${detail.length ? `  (${detail.join('; ')})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function answerList(answers: Partial<Record<string, number>>): string {
  return Object.entries(answers)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([answer, n]) => `${answer} ${n}`)
    .join(', ');
}

function age(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.floor(hours / 24)}d`;
}

import { describe, expect, it } from 'vitest';
import { memberStatus, type MemberReport, type MemberVerdict } from '../../controller/reconcile/member-status.js';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const RELEASE = 'v1.0.49';
const ASSIGNED = at('2026-01-31T06:00:00Z');
const NOW = at('2026-01-31T12:00:00Z');
const quiet: MemberReport = { runsRelease: false, update: null, updateSinceMs: null, deferUntilMs: null };

// Every row: one report, assigned at `assignedAtMs` (default ASSIGNED) with a 2h progress deadline, read at `nowMs` (default NOW).
describe('memberStatus: an assigned appliance’s status and times', () => {
  const rows: { name: string; given: { report: Partial<MemberReport>; assignedAtMs?: number; nowMs?: number }; want: MemberVerdict }[] = [
    {
      name: 'succeeded at its report’s since when it runs the release and reported success',
      given: { report: { runsRelease: true, update: { release: RELEASE, phase: 'succeeded' }, updateSinceMs: at('2026-01-31T07:00:00Z') } },
      want: { status: 'succeeded', finalAtMs: at('2026-01-31T07:00:00Z'), deadlineMs: null },
    },
    {
      name: 'succeeded at its assignment when it already ran the release',
      given: { report: { runsRelease: true } },
      want: { status: 'succeeded', finalAtMs: ASSIGNED, deadlineMs: null },
    },
    {
      name: 'succeeded never before its assignment, whatever the report says',
      given: { report: { runsRelease: true, update: { release: RELEASE, phase: 'succeeded' }, updateSinceMs: at('2026-01-31T05:00:00Z') } },
      want: { status: 'succeeded', finalAtMs: ASSIGNED, deadlineMs: null },
    },
    {
      name: 'failed at its report’s since when it failed this release after the assignment',
      given: { report: { update: { release: RELEASE, phase: 'failed' }, updateSinceMs: at('2026-01-31T07:00:00Z') } },
      want: { status: 'failed', finalAtMs: at('2026-01-31T07:00:00Z'), deadlineMs: null },
    },
    {
      name: 'not failed by a failure reported at or before the assignment',
      given: { report: { update: { release: RELEASE, phase: 'failed' }, updateSinceMs: ASSIGNED }, nowMs: ASSIGNED + HOUR },
      want: { status: 'pending', finalAtMs: null, deadlineMs: ASSIGNED + 2 * HOUR },
    },
    {
      name: 'not failed by another release’s failure',
      given: { report: { update: { release: 'v1.0.45', phase: 'failed' }, updateSinceMs: at('2026-01-31T07:00:00Z') }, nowMs: ASSIGNED + HOUR },
      want: { status: 'pending', finalAtMs: null, deadlineMs: ASSIGNED + 2 * HOUR },
    },
    {
      name: 'updating in an in-flight phase of this release before its deadline',
      given: { report: { update: { release: RELEASE, phase: 'installing' }, updateSinceMs: ASSIGNED + HOUR }, nowMs: ASSIGNED + HOUR },
      want: { status: 'updating', finalAtMs: null, deadlineMs: ASSIGNED + 2 * HOUR },
    },
    {
      name: 'stuck past assignment + progressDeadline, even while in a phase',
      given: { report: { update: { release: RELEASE, phase: 'downloading' }, updateSinceMs: ASSIGNED + HOUR } },
      want: { status: 'stuck', finalAtMs: null, deadlineMs: ASSIGNED + 2 * HOUR },
    },
    {
      name: 'not stuck exactly at its deadline',
      given: { report: {}, nowMs: ASSIGNED + 2 * HOUR },
      want: { status: 'pending', finalAtMs: null, deadlineMs: ASSIGNED + 2 * HOUR },
    },
    {
      name: 'never stuck while deferring, and without a deadline then',
      given: { report: { deferUntilMs: at('2026-01-31T13:00:00Z') } },
      want: { status: 'pending', finalAtMs: null, deadlineMs: null },
    },
    {
      name: 'its deadline counts from a past deferUntil later than the assignment',
      given: { report: { deferUntilMs: at('2026-01-31T10:30:00Z') } },
      want: { status: 'pending', finalAtMs: null, deadlineMs: at('2026-01-31T12:30:00Z') },
    },
    {
      name: 'stuck once even the deferral’s deadline passed',
      given: { report: { deferUntilMs: at('2026-01-31T09:00:00Z') } },
      want: { status: 'stuck', finalAtMs: null, deadlineMs: at('2026-01-31T11:00:00Z') },
    },
  ];
  for (const { name, given, want } of rows) {
    it(name, () => {
      expect(memberStatus({ ...quiet, ...given.report }, given.assignedAtMs ?? ASSIGNED, RELEASE, 2 * HOUR, given.nowMs ?? NOW)).toEqual(want);
    });
  }
});

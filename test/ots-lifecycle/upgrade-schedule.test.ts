import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { emptyReport, type UpgradeReport } from '../../controller/ots/lifecycle/upgrade-outcome.js';
import type { UpgradeRunOptions } from '../../controller/ots/lifecycle/upgrade-job.js';
import { UpgradeSchedule } from '../../controller/ots/lifecycle/upgrade-schedule.js';
import { ALICE, T0, desiredWith } from './lifecycle-harness.js';

const MINUTE = 60_000;
const policy = desiredWith([ALICE]).otsPolicy;
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);

/** A job that records its runs and finishes when the test says so. */
function recordingJob() {
  const runs: { now: Date; options?: UpgradeRunOptions; finish: (fail?: Error) => void }[] = [];
  return {
    runs,
    runOnce: (now: Date, options?: UpgradeRunOptions) =>
      new Promise<UpgradeReport>((resolve, reject) => {
        runs.push({ now, options, finish: (fail) => (fail ? reject(fail) : resolve(emptyReport(now, [ALICE], false))) });
      }),
  };
}

describe('the upgrade schedule', () => {
  it('runs at the first pass, then once per upgradeEvery (1h) on the passes’ clock', async () => {
    const job = recordingJob();
    const schedule = new UpgradeSchedule(job, pino({ level: 'silent' }));
    for (const minutes of [0, 10, 59, 60, 61, 119, 120]) {
      const before = job.runs.length;
      const pass = schedule.afterPass(policy, at(minutes));
      if (job.runs.length > before) job.runs.at(-1)?.finish();
      await pass;
    }
    expect(job.runs.map((r) => (r.now.getTime() - T0.getTime()) / MINUTE)).toEqual([0, 60, 120]);
  });

  it('never runs twice at once: passes during a run do not start another', async () => {
    const job = recordingJob();
    const schedule = new UpgradeSchedule(job, pino({ level: 'silent' }));
    const first = schedule.afterPass(policy, at(0));
    expect(await schedule.afterPass(policy, at(90))).toBeNull();
    job.runs[0]!.finish();
    expect(await first).toMatchObject({ checked: 0 });
    expect(job.runs).toHaveLength(1);
  });

  it('does nothing without an OtsPolicy', async () => {
    const job = recordingJob();
    const schedule = new UpgradeSchedule(job, pino({ level: 'silent' }));
    expect(await schedule.afterPass(null, at(0))).toBeNull();
    expect(job.runs).toEqual([]);
  });

  it('tries again at the next pass after a failed run, and never rejects', async () => {
    const job = recordingJob();
    const schedule = new UpgradeSchedule(job, pino({ level: 'silent' }));
    const failed = schedule.afterPass(policy, at(0));
    job.runs[0]!.finish(new Error('store unavailable'));
    expect(await failed).toBeNull();
    const retried = schedule.afterPass(policy, at(1));
    job.runs[1]!.finish();
    expect(await retried).not.toBeNull();
  });

  it('stop cancels the run in progress through its signal and starts no other', async () => {
    const job = recordingJob();
    const schedule = new UpgradeSchedule(job, pino({ level: 'silent' }));
    const running = schedule.afterPass(policy, at(0));
    const stopped = schedule.stop();
    expect(job.runs[0]!.options?.signal?.aborted).toBe(true);
    job.runs[0]!.finish();
    await stopped;
    await running;
    expect(await schedule.afterPass(policy, at(120))).toBeNull();
    expect(job.runs).toHaveLength(1);
  });
});

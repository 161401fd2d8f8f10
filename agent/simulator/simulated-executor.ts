import { createHash } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sleep, type Clock } from '../../lib/clock.js';
import type { FetchLike } from '../protocol/http-fetch.js';
import type { LocalState, Target } from '../state/local-state.js';
import { downloadImage, type DownloadProgress } from '../update/download.js';
import type { StepOutcome, UpdateExecutor } from '../update/executor.js';
import { verifyImage } from '../update/verify.js';
import type { Behaviour, SimulatedTimings } from './behaviours.js';

/** What the executor asks of the simulated appliance it belongs to. */
export interface ApplianceHooks {
  /** The appliance dies at once: no further check-in. */
  crash(): void;
  /** Resolves once the controller has accepted a report of phase `installing`. */
  installingReported(signal: AbortSignal): Promise<void>;
  /** The installer succeeded: the appliance reboots into `work`. */
  installed(work: Target): void;
}

export interface SimulatedExecutorOptions {
  id: string;
  behaviour: Behaviour;
  clock: Clock;
  /** Already divided by the speed and multiplied by this appliance's own jitter. */
  timings: SimulatedTimings;
  /** Pretend downloads only take time; real ones fetch the image into `dir` and verify it. */
  download: { kind: 'pretend' } | { kind: 'real'; dir: string; fetch: FetchLike };
  hooks: ApplianceHooks;
}

const PRETEND_SIZE = 200 * 2 ** 20;

/** Waits for `signal` to abort: the rest of a step that never ends by itself. */
function forever(signal: AbortSignal): Promise<StepOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ kind: 'aborted' });
    signal.addEventListener('abort', () => resolve({ kind: 'aborted' }), { once: true });
  });
}

/**
 * The update side effects of one simulated appliance: durations on the injected clock and the
 * faults of its behaviour, through the same UpdateExecutor interface a real appliance uses.
 */
export function createSimulatedExecutor(options: SimulatedExecutorOptions): UpdateExecutor {
  const { clock, timings, behaviour, hooks } = options;
  const real = options.download.kind === 'real' ? options.download : null;
  const fileOf = (work: Target) => (real ? join(real.dir, `${options.id}-${work.image.sha256.slice(0, 16)}.img`) : '');

  const wait = async (ms: number, signal: AbortSignal): Promise<boolean> => {
    await sleep(clock, ms, signal);
    return !signal.aborted;
  };

  return {
    async download(work: Target, _state: LocalState, signal: AbortSignal, onProgress: (p: DownloadProgress) => void): Promise<StepOutcome> {
      const total = work.image.sizeBytes ?? PRETEND_SIZE;
      if (behaviour === 'stuck-downloading') {
        onProgress({ bytes: Math.floor(total * 0.37), total, validator: null });
        return forever(signal);
      }
      const duration = timings.download * (behaviour === 'slow-download' ? timings.slowFactor : 1);
      if (real) {
        await mkdir(real.dir, { recursive: true });
        const result = await downloadImage({ url: work.image.url, path: fileOf(work), fetch: real.fetch, signal, validator: null, onProgress });
        if (result.kind !== 'done') return result.kind === 'aborted' ? { kind: 'aborted' } : { kind: 'failed', error: result.error };
        return (await wait(duration, signal)) ? { kind: 'ok' } : { kind: 'aborted' };
      }
      for (let quarter = 1; quarter <= 4; quarter++) {
        if (!(await wait(duration / 4, signal))) return { kind: 'aborted' };
        onProgress({ bytes: Math.floor((total * quarter) / 4), total, validator: null });
      }
      return { kind: 'ok' };
    },

    async verify(work: Target, signal: AbortSignal): Promise<StepOutcome> {
      if (!(await wait(timings.verify, signal))) return { kind: 'aborted' };
      const expected = work.image.sha256.toLowerCase();
      if (real) {
        if (behaviour === 'corrupt-image') await flipFirstByte(fileOf(work));
        const result = await verifyImage(fileOf(work), work.image);
        await rm(fileOf(work), { force: true });
        return result.ok ? { kind: 'ok' } : { kind: 'failed', error: result.error };
      }
      if (behaviour !== 'corrupt-image') return { kind: 'ok' };
      const got = createHash('sha256').update(`corrupted on ${options.id}: ${expected}`).digest('hex');
      return { kind: 'failed', error: `sha256 mismatch: expected ${expected}, got ${got}` };
    },

    async install(work: Target, signal: AbortSignal): Promise<StepOutcome> {
      if (behaviour === 'crash-mid-install') {
        await hooks.installingReported(signal);
        if (!signal.aborted) hooks.crash();
        return forever(signal);
      }
      if (!(await wait(timings.install, signal))) return { kind: 'aborted' };
      hooks.installed(work);
      return { kind: 'ok' };
    },

    async discard(target: Target): Promise<void> {
      if (real) await rm(fileOf(target), { force: true });
    },

    async cleanup(): Promise<void> {},
  };
}

/** Damages a downloaded image the way a bad disk or a broken proxy does. */
async function flipFirstByte(path: string): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, 0);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    await file.write(byte, 0, 1, 0);
  } finally {
    await file.close();
  }
}

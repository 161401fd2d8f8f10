import { startCheckinLoad, type LoadOptions, type Sample } from './checkin-load.js';

/** One slice of load: `options` driven for `durationMs`; answered with its samples and the CPU this process used. */
export interface SliceRequest {
  options: LoadOptions;
  durationMs: number;
}

export interface SliceAnswer {
  /** The samples sent within the slice's window (after its connections were warm). */
  samples: Sample[];
  /** The slice's window, epoch ms. */
  window: [number, number];
  /** CPU this process used during the window, ms. */
  cpuMs: number;
}

// A load generator that stays up between slices, so that several servers can take turns under the same
// load for short slices: a slow minute of a shared machine then falls on every server alike.
process.on('message', (message: SliceRequest | 'stop') => {
  if (message === 'stop') return process.exit(0);
  runSlice(message).then(
    (answer) => process.send?.({ ok: true, ...answer }),
    (err: unknown) => process.send?.({ ok: false, error: String(err) }),
  );
});

async function runSlice({ options, durationMs }: SliceRequest): Promise<SliceAnswer> {
  const load = await startCheckinLoad(options);
  const cpu = process.cpuUsage();
  const from = Date.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  const to = Date.now();
  const used = process.cpuUsage(cpu);
  const samples = (await load.stop()).filter(([at]) => at >= from && at < to);
  return { samples, window: [from, to], cpuMs: (used.user + used.system) / 1000 };
}

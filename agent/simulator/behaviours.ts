/** How a simulated appliance behaves; every one but `healthy` is a fault seen in real fleets. */
export const BEHAVIOURS = [
  'healthy',
  'slow-download',
  'offline',
  'corrupt-image',
  'ignores-updates',
  'stuck-downloading',
  'crash-mid-install',
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export function isBehaviour(value: unknown): value is Behaviour {
  return typeof value === 'string' && (BEHAVIOURS as readonly string[]).includes(value);
}

/** Durations of a simulated update at speed 1, in milliseconds; `--speed` divides them. */
export interface SimulatedTimings {
  download: number;
  /** A slow-download appliance takes this many times longer. */
  slowFactor: number;
  verify: number;
  install: number;
  reboot: number;
}

export const DEFAULT_TIMINGS: SimulatedTimings = { download: 20_000, slowFactor: 8, verify: 2_000, install: 8_000, reboot: 10_000 };

import { readFileSync, writeFileSync } from 'node:fs';

const MB = 1024;

// A `Vm…:  123 kB` line of /proc/<pid>/status, in MB; null where there is no /proc (not Linux).
function statusField(pid: number | 'self', field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / MB : null;
  } catch {
    return null;
  }
}

/**
 * Samples another process's resident set size every `intervalMs` (from /proc, so Linux only) and
 * keeps the peak of each window the caller names. A synchronous pass in the sampled process cannot
 * report on itself while it runs; a sampler in a separate process can.
 */
export class RssSampler {
  private window: string | null = null;
  private readonly peaks = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  /** Whether any sample was read (false where /proc is missing). */
  sampled = false;

  constructor(
    private readonly pid: number,
    intervalMs = 5,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Attributes the samples from now on to `window` (null: to none), after one sample for the window that ends. */
  enter(window: string | null): void {
    this.sample();
    this.window = window;
    this.sample();
  }

  /** The peak RSS seen in `window`, in MB, or null when nothing was sampled there. */
  peak(window: string): number | null {
    return this.peaks.get(window) ?? null;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    if (this.window === null) return;
    const rss = statusField(this.pid, 'VmRSS');
    if (rss === null) return;
    this.sampled = true;
    this.peaks.set(this.window, Math.max(this.peaks.get(this.window) ?? 0, rss));
  }
}

/** Resets this process's peak RSS as the kernel counts it (Linux); false when that is not possible. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** This process's peak RSS since it started or since resetPeakRss, in MB (Linux: VmHWM; elsewhere maxRSS, since start). */
export function peakRss(): number {
  return statusField('self', 'VmHWM') ?? process.resourceUsage().maxRSS / 1024;
}

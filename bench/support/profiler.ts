import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * A CPU profile of this process over a window the benchmark chooses (the load, not the set-up), written
 * as a `.cpuprofile` file that Chrome DevTools and speedscope open.
 */
export class WindowProfiler {
  private session: Session | null = null;

  /** Starts sampling (every 100 µs). */
  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 100 });
    await this.session.post('Profiler.start');
  }

  /** Stops sampling and writes the profile to `file`. */
  async stop(file: string): Promise<void> {
    if (!this.session) return;
    const { profile } = await this.session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    this.session.disconnect();
    this.session = null;
  }
}

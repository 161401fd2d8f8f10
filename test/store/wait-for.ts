/**
 * Polls `probe` until it returns a value other than null/undefined (or stops throwing), every
 * `intervalMs`, failing after `timeoutMs`: a bounded wait for something another process does.
 */
export async function waitFor<T>(probe: () => Promise<T | null | undefined>, options: { timeoutMs: number; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${options.timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';

/** A probe that throws `failures` times, then answers `value`. */
function flaky<T>(failures: number, value: T): () => Promise<T> {
  let calls = 0;
  return async () => {
    calls += 1;
    if (calls <= failures) throw new Error(`not up yet (${calls})`);
    return value;
  };
}

describe('eventually', () => {
  it('resolves with the first truthy answer', async () => {
    let calls = 0;
    expect(await eventually(() => (++calls >= 3 ? 'ready' : null), { everyMs: 1 })).toBe('ready');
    expect(calls).toBe(3);
  });

  it('fails at once when the probe throws, by default', async () => {
    await expect(eventually(flaky(1, true), { everyMs: 1, timeoutMs: 10_000 })).rejects.toThrow('not up yet (1)');
  });

  it('with retryErrors, reads a throw as "not yet" and resolves once the probe answers', async () => {
    expect(await eventually(flaky(3, 'up'), { everyMs: 1, retryErrors: true })).toBe('up');
  });

  it('with retryErrors, names the last error when it times out', async () => {
    const waiting = eventually(flaky(Infinity, true), { what: 'the server', everyMs: 1, timeoutMs: 20, retryErrors: true });
    await expect(waiting).rejects.toThrow(/timed out after 20 ms waiting for the server \(last error: Error: not up yet \(\d+\)\)/);
  });
});

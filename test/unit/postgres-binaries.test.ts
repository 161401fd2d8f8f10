import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canRun, reachableBinaries, serverAccount } from '../../bench/support/postgres-binaries.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((remove) => remove()));

/** A stand-in `native` tree whose bin/postgres succeeds, inside a directory of the given mode. */
function fakeBinaries(mode: number): { native: string; cache: string } {
  const outer = tempDir('muster-pgbin-');
  const cache = tempDir('muster-pgcache-');
  chmodSync(cache.dir, 0o755);
  cleanups.push(outer.remove, cache.remove);
  const native = join(outer.dir, 'checkout', 'native');
  mkdirSync(join(native, 'bin'), { recursive: true });
  writeFileSync(join(native, 'bin', 'postgres'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  chmodSync(join(outer.dir, 'checkout'), 0o755);
  chmodSync(outer.dir, mode);
  return { native, cache: cache.dir };
}

describe('PostgreSQL binaries the server user can run', () => {
  it('uses the installed binaries in place when the server user can reach them', () => {
    const { native, cache } = fakeBinaries(0o755);
    expect(reachableBinaries(native, serverAccount(), cache)).toBe(native);
  });

  // Only root drops to another user; for anyone else the checkout is always reachable.
  it.skipIf(serverAccount() === null)('copies them out of a checkout only root can enter, once', () => {
    const { native, cache } = fakeBinaries(0o700);
    const account = serverAccount();
    expect(canRun(native, account)).toBe(false);
    const copy = reachableBinaries(native, account, cache);
    expect(copy.startsWith(cache)).toBe(true);
    expect(canRun(copy, account)).toBe(true);
    expect(reachableBinaries(native, account, cache)).toBe(copy);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenCache } from '../../controller/api/token-cache.js';
import type { Store } from '../../controller/store/store.js';
import { eventually } from '../helpers/eventually.js';
import { STORE_CLOCK } from '../store/contract.js';
import type { HarnessFactory, StoreHarness } from '../store/harness.js';
import { postgresHarness } from '../store/postgres-harness.js';
import { sqliteHarness } from '../store/sqlite-harness.js';

describe.each<{ name: string; factory: HarnessFactory }>([
  { name: 'SQLite', factory: sqliteHarness },
  { name: 'PostgreSQL', factory: postgresHarness },
])('the token cache on $name', ({ factory }) => {
  let h: StoreHarness;
  let store: Store;
  let cli: Store;
  let cache: TokenCache;
  let reads: ReturnType<typeof vi.spyOn>;

  beforeEach(async () => {
    h = await factory(STORE_CLOCK);
    store = h.store;
    cli = await h.openAnother(); // another process: the CLI or another replica
  });
  afterEach(async () => {
    cache?.stop();
    await h.cleanup();
  });

  async function startCache(refreshMs = 60_000): Promise<void> {
    cache = new TokenCache(store, { refreshMs });
    await cache.start();
    reads = vi.spyOn(store, 'tokensChangedSince');
  }

  it('loads every token at start and answers known tokens without reading the store', async () => {
    const issued = await store.issueTokens(['a-01', 'b-02', 'c-03']);
    await startCache();
    expect(cache.size).toBe(3);
    for (const { appliance, token } of issued) expect(await cache.applianceFor(token)).toBe(appliance);
    expect(reads).not.toHaveBeenCalled();
  });

  it('refuses malformed tokens without reading the store', async () => {
    await startCache();
    for (const bad of ['', 'mst_', 'Bearer x', `mst_${'A'.repeat(44)}`, "mst_' OR 1=1 --"]) expect(await cache.applianceFor(bad)).toBeNull();
    expect(reads).not.toHaveBeenCalled();
  });

  it('drops a token rotated through the same store at once, and knows the new one without a read', async () => {
    const old = (await store.issueToken('a-01')) as string;
    await startCache();
    const rotated = (await store.issueToken('a-01', { rotate: true })) as string;
    expect(await cache.applianceFor(rotated)).toBe('a-01');
    expect(reads).not.toHaveBeenCalled();
    expect(await cache.applianceFor(old)).toBeNull();
    expect(cache.size).toBe(1);
  });

  it('accepts a token another process issued on its first use, and refuses an unknown one after reading', async () => {
    await startCache();
    const [issued] = await cli.issueTokens(['b-02']);
    expect(await cache.applianceFor(issued?.token as string)).toBe('b-02');
    expect(await cache.applianceFor(`mst_${'A'.repeat(43)}`)).toBeNull();
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('drops a token another process rotated at the next read, and the poll reads within its period', async () => {
    const old = (await store.issueToken('a-01')) as string;
    await startCache(20);
    const rotated = (await cli.issueToken('a-01', { rotate: true })) as string;
    await eventually(async () => (await cache.applianceFor(old)) === null, { what: 'the poll to drop the rotated token' });
    expect(await cache.applianceFor(rotated)).toBe('a-01');
    expect(cache.size).toBe(1);
  });

  it('never lets a read that began before a rotation bring the rotated token back', async () => {
    const old = (await store.issueToken('a-01')) as string;
    cache = new TokenCache(store, { refreshMs: 60_000 }); // not started: the read below is the first
    const reading = cache.refresh(); // sees the old token…
    const rotated = (await store.issueToken('a-01', { rotate: true })) as string; // …the rotation is heard at once…
    await reading; // …and the older read, applied after it, must not win
    expect(await cache.applianceFor(old)).toBeNull();
    expect(await cache.applianceFor(rotated)).toBe('a-01');
    expect(cache.size).toBe(1);
  });

  it('answers a flood of unknown tokens with few reads of the store', async () => {
    await startCache();
    const unknown = Array.from({ length: 50 }, (_, i) => `mst_${String(i).padStart(43, 'B')}`);
    expect(await Promise.all(unknown.map((t) => cache.applianceFor(t)))).toEqual(unknown.map(() => null));
    expect(reads.mock.calls.length).toBeLessThanOrEqual(2);
  });
});

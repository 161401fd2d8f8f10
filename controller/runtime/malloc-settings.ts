/**
 * glibc's allocator settings the controller's launchers set, as environment variables: glibc reads them
 * once, when the process starts, so they cannot be set from inside it.
 *
 * - `MALLOC_ARENA_MAX=2`: at most two malloc arenas instead of eight per core. Every thread that
 *   allocates (the API's, the reconcile worker, the SQLite check-in writer, libuv's pool) otherwise gets
 *   an arena of its own, and each keeps the pages it once used.
 * - `MALLOC_MMAP_THRESHOLD_=131072`: blocks of 128 KiB and more are always mapped on their own and
 *   handed back to the kernel when freed. By default glibc raises that threshold each time such a block
 *   is freed, up to 32 MiB; after a reconcile pass's large buffers (the plan's serialization, its
 *   compression) the megabyte-sized blocks that follow then live in the arenas, whose freed holes stay
 *   resident.
 *
 * Together they took 100–140 MB off the controller's resident memory at rest at 100,000 appliances
 * (docs/BENCHMARKS.md). Other C libraries (musl) ignore them.
 */
export const MALLOC_SETTINGS = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' } as const;

/** The settings as `NAME=VALUE` words, as the launchers write them. */
export function mallocAssignments(): string[] {
  return Object.entries(MALLOC_SETTINGS).map(([name, value]) => `${name}=${value}`);
}

/**
 * Whether the process was started with the launchers' allocator settings (`compact`) or not (`default`):
 * the `controller started` log line says which.
 */
export function allocatorMode(env: NodeJS.ProcessEnv = process.env): 'compact' | 'default' {
  return Object.entries(MALLOC_SETTINGS).every(([name, value]) => env[name] === value) ? 'compact' : 'default';
}

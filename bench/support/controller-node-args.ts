import { MALLOC_SETTINGS } from '../../controller/runtime/malloc-settings.js';

/**
 * Node's options for a controller under measurement: as `muster controller` runs (its launchers pass
 * `--single-threaded-gc`, see docs/controller.md), or with V8's default collector helper threads when
 * `MUSTER_BENCH_PARALLEL_GC=1`, to compare the two.
 */
export function controllerNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.MUSTER_BENCH_PARALLEL_GC === '1' ? [] : ['--single-threaded-gc'];
}

/**
 * The environment of a controller under measurement: with the allocator settings its launchers set
 * (controller/runtime/malloc-settings.ts), or with glibc's defaults when `MUSTER_BENCH_GLIBC_MALLOC=1`,
 * to compare the two.
 */
export function controllerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const launched = { ...env };
  for (const name of Object.keys(MALLOC_SETTINGS)) delete launched[name];
  return env.MUSTER_BENCH_GLIBC_MALLOC === '1' ? launched : { ...launched, ...MALLOC_SETTINGS };
}

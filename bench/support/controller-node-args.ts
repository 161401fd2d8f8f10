/**
 * Node's options for a controller under measurement: as `muster controller` runs (its launchers pass
 * `--single-threaded-gc`, see docs/controller.md), or with V8's default collector helper threads when
 * `MUSTER_BENCH_PARALLEL_GC=1`, to compare the two.
 */
export function controllerNodeArgs(env: NodeJS.ProcessEnv = process.env): string[] {
  return env.MUSTER_BENCH_PARALLEL_GC === '1' ? [] : ['--single-threaded-gc'];
}

/**
 * How V8 collects this process's garbage: each thread on itself (`--single-threaded-gc`, which the
 * controller's launchers pass; see docs/controller.md), or with V8's helper threads, which are shared
 * by the whole process and run at its priority, so that a reconcile pass's collections on them take
 * CPU from check-ins despite the pass thread's lower priority.
 */
export function collectorMode(execArgv: readonly string[] = process.execArgv): 'own-thread' | 'helper-threads' {
  return execArgv.includes('--single-threaded-gc') ? 'own-thread' : 'helper-threads';
}

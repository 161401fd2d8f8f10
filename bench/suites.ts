import type { Benchmark } from './bench.js';

/** Every benchmark `npm run bench` runs, in order; each lives in its own file beside this one. */
export const BENCHMARKS: Benchmark[] = [];

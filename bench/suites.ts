import type { Benchmark } from './bench.js';
import { checkinBenchmark } from './checkin.bench.js';
import { checkinPassBenchmark } from './checkin-pass.bench.js';
import { checkinStoreBenchmark } from './checkin-store.bench.js';
import { forecastBenchmark } from './forecast.bench.js';
import { loadBenchmark } from './load.bench.js';
import { memoryBenchmark } from './memory.bench.js';
import { otsExpireBenchmark } from './ots-expire.bench.js';
import { reconcileBenchmark } from './reconcile.bench.js';
import { statusPageBenchmark } from './status-page.bench.js';

/** Every benchmark `npm run bench` runs, in order; each lives in its own file beside this one. */
export const BENCHMARKS: Benchmark[] = [
  loadBenchmark,
  reconcileBenchmark,
  forecastBenchmark,
  checkinBenchmark,
  checkinPassBenchmark,
  memoryBenchmark,
  checkinStoreBenchmark,
  otsExpireBenchmark,
  statusPageBenchmark,
];

/**
 * The cases `MUSTER_BENCH_CASES` (comma-separated) asks for, in the benchmark's own order; every case
 * when it is unset. An unknown name is an error naming the known ones.
 */
export function chosenCases<C extends string>(env: NodeJS.ProcessEnv, all: readonly C[]): C[] {
  const wanted = env.MUSTER_BENCH_CASES?.split(',').map((c) => c.trim()).filter(Boolean);
  const unknown = wanted?.filter((c) => !(all as readonly string[]).includes(c)) ?? [];
  if (unknown.length) throw new Error(`unknown MUSTER_BENCH_CASES ${unknown.join(', ')}: choose from ${all.join(', ')}`);
  return wanted ? all.filter((c) => wanted.includes(c)) : [...all];
}

import { BENCHMARKS } from './suites.js';

// `npm run bench [-- id…]`: runs the named benchmarks (all by default) and prints their figures.
const wanted = process.argv.slice(2);
const chosen = wanted.length ? BENCHMARKS.filter((b) => wanted.includes(b.id)) : BENCHMARKS;
const date = new Date().toISOString().slice(0, 10);
console.log(`# Muster benchmarks, ${date}, node ${process.version}\n`);
for (const bench of chosen) {
  process.stderr.write(`running ${bench.id}…\n`);
  const result = await bench.run();
  console.log(`## ${result.title} (${bench.id})\n`);
  console.log('| figure | value |\n|---|---|');
  for (const f of result.figures) console.log(`| ${f.name} | ${Number(f.value.toFixed(2))} ${f.unit} |`);
  console.log(`\n${result.comparison}\n\nGoal: ${result.goal} — ${result.met ? 'met' : 'NOT met'}\n`);
}

import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { systemClock } from '../../lib/clock.js';
import { startSimulator } from '../../agent/simulator/simulator.js';
import type { Behaviour } from '../../agent/simulator/behaviours.js';
import type { Plan } from '../../controller/reconcile/plan.js';
import { startController } from '../../controller/runtime/controller.js';
import { planChanges, planSummary } from './console-report.js';
import { startImageServer } from './image-server.js';
import { writeDemoFleet } from './demo-fleet.js';

// `npm start`: a demo fleet repository served through file:// (the git source), the controller on
// SQLite, an image server and 50 simulated appliances, five of them faulty; the status page with a
// ready operator credential. Ctrl-C stops it all.
const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const work = resolve(process.env.MUSTER_DEMO_DIR ?? join(root, '.demo'));
const say = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);

rmSync(work, { recursive: true, force: true });
const images = await startImageServer(join(work, 'images'));
const fleet = await writeDemoFleet(join(root, 'fleet-repo-example'), join(work, 'fleet'), join(work, 'images'), images.url);
const db = join(work, 'muster.db');
const controller = await startController({
  repo: `file://${fleet.dir}`,
  cacheDir: join(work, 'git-cache'),
  db,
  host: '127.0.0.1',
  port: Number(process.env.MUSTER_DEMO_PORT ?? 0),
  intervalMs: 2_000,
  fetchIntervalMs: 5_000,
  logger: pino({ level: process.env.MUSTER_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
});
const tokens = await controller.store.issueTokens(fleet.appliances, { rotate: true });
const operator = (await controller.store.issueOperatorToken('demo', { rotate: true })) as string;
const simulator = startSimulator({
  server: controller.url,
  identities: tokens,
  profile: {
    default: 'healthy',
    rules: Object.entries(fleet.faults).map(([pattern, behaviour]) => ({ pattern, behaviour: behaviour as Behaviour })),
    initialVersion: { agentVersion: '1.0.49', imageVersion: '1.0.49' },
  },
  clock: systemClock,
  speed: 4,
  download: 'real',
  workDir: join(work, 'downloads'),
});

say(`Muster demo: controller at ${controller.url}, ${fleet.appliances.length} simulated appliances, fleet repository file://${fleet.dir}`);
say(`faulty appliances: ${Object.entries(fleet.faults).map(([id, f]) => `${id} (${f})`).join(', ')}`);
say(`status page: ${controller.url}/ — sign in with the operator credential ${operator}`);
say(`in another terminal: npx muster status --db ${db}`);
say(`make a change: edit ${join(fleet.dir, 'rollouts')}, commit, and watch (git -C ${fleet.dir} commit -am "…")`);

let shown: Plan | null = null;
let lastSummary = 0;
const watch = setInterval(() => {
  const plan = controller.plan();
  if (!plan || plan === shown) return;
  for (const line of planChanges(shown, plan)) say(line);
  if (Date.now() - lastSummary > 10_000) {
    for (const line of planSummary(plan)) say(line);
    lastSummary = Date.now();
  }
  shown = plan;
}, 500);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`${signal}: stopping the simulated fleet, the controller and the image server`);
  clearInterval(watch);
  await simulator.stop();
  await controller.stop();
  await images.close();
  say('stopped cleanly');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

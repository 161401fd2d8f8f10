import type { Command } from 'commander';
import type { Plan } from '../../reconcile/plan.js';
import { stageMembers } from '../../reconcile/stage-members.js';
import { describeAction } from '../../plan/describe-action.js';
import { table } from '../../plan/render-text.js';
import { desiredFromSaved } from '../../runtime/saved-desired.js';
import type { Store, StoredEvent } from '../../store/store.js';
import { dbOption } from '../db-option.js';
import { CliError, EXIT_INVALID } from '../exit-codes.js';
import { withStore } from '../open-cli-store.js';

const EVENTS_SHOWN = 20;

async function latest(store: Store): Promise<Plan> {
  const saved = await store.latestPlan();
  if (!saved) throw new CliError('the controller has not applied a plan yet', EXIT_INVALID);
  return saved.plan;
}

function eventLines(events: StoredEvent[]): string[] {
  if (!events.length) return ['Events: none'];
  return ['Events (newest first):', ...table(events.map((e) => [`  ${e.at}`, e.type, describeAction(e.detail)]))];
}

/** Stages with their members, each member's status and reason from the latest plan. */
async function describeRollout(store: Store, name: string): Promise<string[]> {
  const plan = await latest(store);
  const status = plan.rollouts.find((r) => r.name === name);
  const desired = desiredFromSaved(await store.loadDesiredState());
  const rollout = desired?.rollouts.find((r) => r.name === name);
  if (!status || !rollout || !desired) throw new CliError(`no rollout ${name} in the last applied desired state`, EXIT_INVALID);
  const cohorts = stageMembers(desired, name);
  const byId = new Map(plan.appliances.map((a) => [a.id, a]));
  const out = [
    `Rollout ${name}: release ${status.release}, ${status.phase}, stage ${status.stage}/${status.stages} since ${status.stageStartedAt}`,
    `  ${status.message}`,
    'Conditions:',
    ...table(status.conditions.map((c) => [`  ${c.type}`, c.status, c.reason, c.lastTransitionTime, c.message])),
  ];
  for (const { stage, percent, size, members } of cohorts?.stages ?? []) {
    const marker = stage === status.stage ? ' (current)' : stage < status.stage ? ' (done)' : '';
    out.push(`Stage ${stage}: ${percent}% = ${size} of ${cohorts?.eligible ?? 0}${marker}`);
    out.push(
      ...table(
        members.map((id) => {
          const a = byId.get(id);
          const here = a?.rollout === name;
          return [`  ${id}`, here ? (a?.status ?? '-') : a?.target ? `claimed by ${a.rollout}` : 'not assigned', here ? (a?.reason ?? '') : ''];
        }),
      ),
    );
  }
  return [...out, ...eventLines(await store.listEvents({ rollout: name, limit: EVENTS_SHOWN }))];
}

/** An appliance's target, status and reason, what it last reported, its findings and events. */
async function describeAppliance(store: Store, id: string): Promise<string[]> {
  const plan = await latest(store);
  const status = plan.appliances.find((a) => a.id === id);
  const observed = await store.getAppliance(id);
  if (!status && !observed) throw new CliError(`no appliance ${id} is declared or has checked in`, EXIT_INVALID);
  const findings = plan.findings.filter((f) => f.appliance === id);
  return [
    `Appliance ${id}: ${status?.status ?? 'unknown'}, target ${status?.target ?? 'none'}${status?.rollout ? ` (rollout ${status.rollout})` : ''}`,
    `  ${status?.reason ?? 'not declared in the fleet repository'}`,
    observed
      ? `Last check-in ${observed.lastCheckinAt}: agent ${observed.agentVersion ?? '-'}, image ${observed.imageVersion ?? '-'}` +
        (observed.update ? `, ${observed.update.release} ${observed.update.phase} since ${observed.update.since} (attempt ${observed.update.attempt})` : '') +
        (observed.deferUntil ? `, deferring until ${observed.deferUntil}` : '')
      : 'Never checked in',
    ...(observed?.update?.error ? [`  last error: ${observed.update.error}`] : []),
    ...(observed?.retention
      ? [`Retention: policy ${observed.retention.policyHash?.slice(0, 12) ?? '-'}, last pruned ${observed.retention.lastPrunedAt ?? 'never'}, ${observed.retention.incidents} incidents, ${observed.retention.databaseBytes} bytes`]
      : []),
    findings.length ? 'Findings:' : 'Findings: none',
    ...findings.map((f) => `  ${f.severity} ${f.type}: ${f.message}`),
    ...eventLines(await store.listEvents({ appliance: id, limit: EVENTS_SHOWN })),
  ];
}

/** Registers `muster describe rollout NAME` and `muster describe appliance ID`, like `kubectl describe`. */
export function registerDescribeCommand(program: Command): void {
  const describe = program.command('describe').description('Show one rollout or appliance in detail');
  describe
    .command('rollout')
    .argument('<name>')
    .description('Stages, cohort members with status and reason, conditions, recent events')
    .addOption(dbOption())
    .action(async (name: string, flags: { db: string }) => {
      const lines = await withStore(flags.db, (store) => describeRollout(store, name));
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  describe
    .command('appliance')
    .argument('<id>')
    .description('Target, status and reason, last report, findings, recent events')
    .addOption(dbOption())
    .action(async (id: string, flags: { db: string }) => {
      const lines = await withStore(flags.db, (store) => describeAppliance(store, id));
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

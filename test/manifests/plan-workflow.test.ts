import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { cliFlags } from './cli-surface.js';

const text = readFileSync('fleet-repo-example/.github/workflows/muster-plan.yml', 'utf8');
const workflow = parse(text) as { on: { pull_request: unknown }; permissions: Record<string, string>; jobs: { plan: { steps: { run?: string; with?: Record<string, unknown> }[] } } };
const script = workflow.jobs.plan.steps.map((s) => s.run ?? '').join('\n');
const plans = [...script.matchAll(/muster plan (.+)/g)].map((m) => (m[1] as string).split(/\s+/));

describe('the plan workflow of the example fleet repository', () => {
  it('runs on pull requests and may write the comment', () => {
    expect(workflow.on.pull_request).toBeDefined();
    expect(workflow.permissions['pull-requests']).toBe('write');
  });

  it('plans against the base branch with flags the CLI defines, in both review formats', async () => {
    const known = await cliFlags('plan');
    expect(plans).toHaveLength(2);
    for (const args of plans) {
      for (const flag of args.filter((a) => a.startsWith('--'))) expect(known.has(flag), `${flag} is a flag of muster plan`).toBe(true);
      expect(args).toContain('--base');
    }
    expect(plans.map((args) => args[args.indexOf('--format') + 1])).toEqual(['github', 'markdown']);
    expect(workflow.jobs.plan.steps[0]?.with?.['fetch-depth']).toBe(0);
  });

  it('keeps one comment: finds its marker and edits it', () => {
    expect(script).toContain('<!-- muster-plan -->');
    expect(script).toMatch(/--method PATCH/);
  });
});

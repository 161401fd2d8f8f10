import { readFileSync } from 'node:fs';
import fengari from 'fengari';
import { describe, expect, it } from 'vitest';
import { rolloutStatusDocument } from '../../controller/kubernetes/status-writer.js';
import type { RolloutPhase } from '../../controller/observed/state-schema.js';
import { rolloutConditions } from '../../controller/reconcile/conditions.js';
import type { LatchDecision } from '../../controller/reconcile/failure-policy.js';
import type { RolloutStatus } from '../../controller/reconcile/plan.js';

/** The health check as docs/kubernetes.md prints it: the block under the argocd-cm key, dedented. */
function healthScript(): string {
  const doc = readFileSync('docs/kubernetes.md', 'utf8');
  const start = doc.indexOf('resource.customizations.health.muster.dev_Rollout: |\n');
  const block = doc.slice(start).split('\n').slice(1);
  const body = block.slice(0, block.findIndex((line) => line.startsWith('```')));
  return body.map((line) => line.replace(/^ {4}/, '')).join('\n');
}

function luaValue(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return `{${value.map(luaValue).join(', ')}}`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `[${JSON.stringify(k)}] = ${luaValue(v)}`).join(', ')}}`;
  return JSON.stringify(value);
}

/**
 * Runs the health check on `obj` with a Lua interpreter (fengari: Lua 5.3 in JavaScript, so the test
 * runs on any machine; Argo CD's gopher-lua is Lua 5.1, and the script uses nothing of either alone).
 * Returns `status|message`.
 */
function health(obj: unknown): string {
  const { lauxlib, lualib, lua, to_luastring } = fengari;
  const program = `local function check(obj)\n${healthScript()}\nend\nlocal hs = check(${luaValue(obj)})\nreturn hs.status .. "|" .. (hs.message or "")\n`;
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  if (lauxlib.luaL_loadstring(L, to_luastring(program)) !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new Error(`the health check failed in Lua: ${lua.lua_tojsstring(L, -1)}`);
  }
  return lua.lua_tojsstring(L, -1);
}

function rollout(phase: RolloutPhase, decision: LatchDecision['kind'] = 'active', generation = 1, observed = 1): unknown {
  const latch = decision === 'tripped' ? { kind: 'tripped', phase: 'Aborted', sinceMs: 0 } : decision === 'spec-paused' ? { kind: 'spec-paused', release: false } : { kind: 'active', release: true };
  const conditions = rolloutConditions({ phase, decision: latch as LatchDecision, pendingReason: 'WaitingForWindow', message: `m-${phase}`, observed: undefined, nowIso: '2026-12-04T00:00:00.000Z' });
  const status: RolloutStatus = {
    name: 'v1', release: 'v1', version: '1.0.0', rollback: false, phase, stage: 1, stages: 2, stageStartedAt: '2026-12-04T00:00:00.000Z',
    counts: { targeted: 1, pending: 1, updating: 0, succeeded: 0, failed: 0, stuck: 0 }, conditions, message: `m-${phase}`, revision: 'r',
  };
  return { metadata: { name: 'v1', generation }, status: rolloutStatusDocument(status, observed) };
}

describe('the Argo CD health check in docs/kubernetes.md (run by Lua)', () => {
  it.each([
    { name: 'no status yet', given: { metadata: { name: 'v1', generation: 1 } }, want: 'Progressing' },
    { name: 'a spec not yet observed', given: rollout('Complete', 'active', 2, 1), want: 'Progressing' },
    { name: 'Pending', given: rollout('Pending'), want: 'Progressing' },
    { name: 'Progressing', given: rollout('Progressing'), want: 'Progressing' },
    { name: 'Complete', given: rollout('Complete'), want: 'Healthy' },
    { name: 'Stalled (stuck appliances)', given: rollout('Stalled'), want: 'Degraded' },
    { name: 'Aborted by failures', given: rollout('Aborted', 'tripped'), want: 'Degraded' },
    { name: 'Paused by its spec', given: rollout('Paused', 'spec-paused'), want: 'Suspended' },
    { name: 'Superseded', given: rollout('Superseded'), want: 'Healthy' },
  ])('$name → $want', ({ given, want }) => {
    expect(health(given).split('|')[0]).toBe(want);
  });

  it('carries the rollout message', () => {
    expect(health(rollout('Stalled'))).toBe('Degraded|m-Stalled');
  });
});

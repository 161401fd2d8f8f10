/**
 * The matching rules of the acceptance scenarios' expect.json, as the scenario checker applies them:
 * objects match field by field, `reason` and `message` by case-insensitive substring, everything
 * else exactly. Returns the problems found; none means the plan meets every expectation.
 */

export interface ScenarioExpect {
  now: string;
  exitCode?: number;
  rollouts?: Record<string, object>;
  targets?: Record<string, string | null>;
  appliances?: Record<string, object>;
  findings?: object[];
  noFindings?: object[];
  actions?: object[];
  noActions?: object[];
  actionCounts?: Record<string, number>;
  errors?: { file: string; lines?: number[] }[];
}

type Json = Record<string, unknown>;

export function matches(actual: unknown, want: object): boolean {
  const a = actual as Json | undefined;
  return Object.entries(want).every(([k, v]) =>
    v !== null && typeof v === 'object'
      ? a?.[k] !== undefined && matches(a[k], v as object)
      : k === 'reason' || k === 'message'
        ? String(a?.[k] ?? '').toLowerCase().includes(String(v).toLowerCase())
        : a?.[k] === v,
  );
}

export function scenarioProblems(plan: Json, expect: ScenarioExpect, exitCode: number): string[] {
  const problems: string[] = [];
  const list = (key: string) => (plan[key] as Json[] | undefined) ?? [];
  if (expect.exitCode !== undefined && exitCode !== expect.exitCode) problems.push(`exit code ${exitCode}, expected ${expect.exitCode}`);
  for (const [name, want] of Object.entries(expect.rollouts ?? {})) {
    const r = list('rollouts').find((x) => x.name === name);
    if (!r || !matches(r, want)) problems.push(`rollout ${name}: got ${JSON.stringify(r)}, want ${JSON.stringify(want)}`);
  }
  for (const [id, release] of Object.entries(expect.targets ?? {})) {
    const a = list('appliances').filter((x) => x.id === id);
    if (a.length !== 1 || a[0]?.target !== release) problems.push(`appliance ${id}: ${JSON.stringify(a)}, want target ${release}`);
  }
  for (const [id, want] of Object.entries(expect.appliances ?? {})) {
    const a = list('appliances').find((x) => x.id === id);
    if (!a || !matches(a, want)) problems.push(`appliance ${id}: got ${JSON.stringify(a)}, want ${JSON.stringify(want)}`);
  }
  const has = (key: string, want: object) => list(key).some((x) => matches(x, want));
  for (const f of expect.findings ?? []) if (!has('findings', f)) problems.push(`missing finding ${JSON.stringify(f)}`);
  for (const f of expect.noFindings ?? []) if (has('findings', f)) problems.push(`unexpected finding ${JSON.stringify(f)}`);
  for (const a of expect.actions ?? []) if (!has('actions', a)) problems.push(`missing action ${JSON.stringify(a)}`);
  for (const a of expect.noActions ?? []) if (has('actions', a)) problems.push(`unexpected action ${JSON.stringify(a)}`);
  for (const [type, n] of Object.entries(expect.actionCounts ?? {})) {
    const got = list('actions').filter((x) => x.type === type).length;
    if (got !== n) problems.push(`${got} ${type} actions, expected ${n}`);
  }
  for (const e of expect.errors ?? []) {
    const hit = list('errors').some((x) => String(x.file ?? '').endsWith(e.file) && (e.lines ?? [x.line]).includes(x.line));
    if (!hit) problems.push(`missing error at ${e.file}:${(e.lines ?? ['?']).join('|')}`);
  }
  return problems;
}

import type { Action, Finding } from '../reconcile/plan.js';

/** AssignRelease actions of one rollout, gathered so that a large stage reads as one line. */
export interface AssignGroup {
  rollout: string;
  release: string;
  appliances: string[];
}

/** The plan's AssignRelease actions grouped by rollout, in plan order; other actions stay one by one. */
export function groupActions(actions: readonly Action[]): { assigns: AssignGroup[]; others: Action[] } {
  const assigns = new Map<string, AssignGroup>();
  const others: Action[] = [];
  for (const a of actions) {
    if (a.type !== 'AssignRelease') {
      others.push(a);
      continue;
    }
    let group = assigns.get(a.rollout);
    if (!group) assigns.set(a.rollout, (group = { rollout: a.rollout, release: a.release, appliances: [] }));
    group.appliances.push(a.appliance);
  }
  return { assigns: [...assigns.values()], others };
}

/** `a, b, c (+7 more)`. */
export function listSome(items: readonly string[], limit = 10): string {
  const shown = items.slice(0, limit).join(', ');
  return items.length > limit ? `${shown} (+${items.length - limit} more)` : shown;
}

/** At most `perType` findings of each type, and how many of each type were left out. */
export function capFindings(findings: readonly Finding[], perType: number): { shown: Finding[]; omitted: Map<string, number> } {
  const seen = new Map<string, number>();
  const omitted = new Map<string, number>();
  const shown: Finding[] = [];
  for (const f of findings) {
    const n = (seen.get(f.type) ?? 0) + 1;
    seen.set(f.type, n);
    if (n <= perType) shown.push(f);
    else omitted.set(f.type, (omitted.get(f.type) ?? 0) + 1);
  }
  return { shown, omitted };
}

/** What a finding is about: `rollout v1.0.49`, `appliance vm-01`, `policy default`. */
export function subjectOf(f: Finding): string {
  if (f.appliance) return f.appliance;
  if (f.rollout) return f.rollout;
  if (f.calendar) return f.calendar;
  return f.policy ?? '';
}

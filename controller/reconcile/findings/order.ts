import type { Finding, Severity } from '../plan.js';

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Findings in a stable order: errors first, then warnings and infos; within one, by type and subject. */
export function sortFindings(findings: Finding[]): Finding[] {
  const key = (f: Finding) => [f.type, f.rollout ?? '', f.appliance ?? '', f.policy ?? '', f.calendar ?? '', f.since ?? '', f.message];
  return findings.sort((a, b) => {
    const bySeverity = SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity];
    if (bySeverity) return bySeverity;
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      if ((ka[i] as string) < (kb[i] as string)) return -1;
      if ((ka[i] as string) > (kb[i] as string)) return 1;
    }
    return 0;
  });
}

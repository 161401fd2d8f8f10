/** One appliance the simulator plays, with the token it checks in with. */
export interface SimulatedIdentity {
  appliance: string;
  token: string;
}

/**
 * Reads the JSON printed by `muster appliance token --all --format json`: `{"tokens": [{"appliance",
 * "token"}]}` (a bare array is accepted too). Problems are returned, not thrown.
 */
export function parseTokens(json: unknown): { tokens: SimulatedIdentity[] } | { errors: string[] } {
  const list = Array.isArray(json) ? json : json !== null && typeof json === 'object' ? (json as { tokens?: unknown }).tokens : undefined;
  if (!Array.isArray(list)) return { errors: ['expected {"tokens": [{"appliance": "…", "token": "…"}]}'] };
  const errors: string[] = [];
  const tokens: SimulatedIdentity[] = [];
  list.forEach((entry: unknown, i) => {
    const e = entry as Record<string, unknown> | null;
    const appliance = e?.appliance ?? e?.id;
    if (typeof appliance !== 'string' || !appliance || typeof e?.token !== 'string' || !e.token) {
      errors.push(`tokens[${i}]: expected {"appliance": "…", "token": "…"}`);
    } else tokens.push({ appliance, token: e.token });
  });
  return errors.length ? { errors } : { tokens };
}

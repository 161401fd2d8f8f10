const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
};

/** Milliseconds in a duration such as `90s`, `7d` or `1h30m`; null when it is not one. */
export function parseDuration(text: string): number | null {
  if (!/^([0-9]+(ms|s|m|h|d|w))+$/.test(text)) return null;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)(ms|s|m|h|d|w)/g)) {
    total += Number(amount) * (DURATION_UNITS_MS[unit as string] as number);
  }
  return Number.isSafeInteger(total) ? total : null;
}

/** Bytes in a size such as `512Mi`, `2Gi` or a plain count; null when it is not one. */
export function parseSize(value: string | number): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  const match = /^([0-9]+)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(value);
  if (!match) return null;
  const bytes = Number(match[1]) * (SIZE_UNITS[match[2] ?? ''] as number);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** A duration for people: `90s`, `10m`, `6h`, `7d`, `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    }
  }
  return parts.slice(0, 2).join('') || `${ms}ms`;
}

/**
 * The checks `promtool check metrics` makes, for the tests: it parses the text exposition format as
 * Prometheus' client parser does (a TYPE line before its samples, one HELP and TYPE per family,
 * histogram and summary samples under their family) and applies the lint rules of
 * client_golang's `testutil/promlint` — the same problem texts, so a failure reads as promtool's.
 */

interface Family {
  name: string;
  type: string;
  help: string | null;
  labelNames: Set<string>;
  series: string[];
}

export interface LintProblem {
  metric: string;
  text: string;
}

const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const BASE_UNITS = ['amperes', 'bytes', 'celsius', 'grams', 'joules', 'kelvin', 'meters', 'metres', 'seconds', 'volts'];
const UNIT_PREFIXES = ['pico', 'nano', 'micro', 'milli', 'centi', 'deci', 'deca', 'hecto', 'kilo', 'mega', 'giga', 'tera', 'peta', 'exa', 'zetta', 'yotta'];
const UNIT_ABBREVIATIONS = new Set(['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd']);
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

/** The family a sample belongs to: a histogram's `_bucket`, `_sum`, `_count`, a summary's `_sum`, `_count`. */
function familyOf(families: Map<string, Family>, sample: string): Family | undefined {
  const exact = families.get(sample);
  if (exact) return exact;
  const suffix = /_(bucket|sum|count)$/.exec(sample);
  if (!suffix) return undefined;
  const family = families.get(sample.slice(0, -suffix[0].length));
  if (family?.type === 'histogram' || (family?.type === 'summary' && suffix[1] !== 'bucket')) return family;
  return undefined;
}

function parseLabels(text: string, where: string): Map<string, string> {
  const labels = new Map<string, string>();
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (!m) throw new Error(`${where}: cannot parse labels at ${JSON.stringify(text.slice(start))}`);
    if (labels.has(m[1] as string)) throw new Error(`${where}: duplicate label ${m[1]}`);
    labels.set(m[1] as string, m[2] as string);
  }
  return labels;
}

/** The families of an exposition; throws, as the parser would fail, on text it cannot read. */
export function parseExposition(text: string): Family[] {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, type: 'untyped', help: null, labelNames: new Set(), series: [] }));
    return f;
  };
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line.trim() === '') return;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (meta) {
      const f = family(meta[2] as string);
      if (meta[1] === 'HELP') {
        if (f.help !== null) throw new Error(`${where}: second HELP line for ${f.name}`);
        f.help = meta[3] ?? '';
      } else {
        if (!TYPES.has(meta[3] ?? '')) throw new Error(`${where}: unknown metric type ${meta[3]}`);
        if (f.series.length > 0 || f.type !== 'untyped') throw new Error(`${where}: TYPE for ${f.name} after its samples or a second TYPE`);
        f.type = meta[3] as string;
      }
      return;
    }
    if (line.startsWith('#')) return;
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`${where}: not a sample: ${line}`);
    if (Number.isNaN(Number(sample[4])) && !/^[+-]?(Inf|NaN)$/.test(sample[4] as string)) throw new Error(`${where}: bad value ${sample[4]}`);
    const f = familyOf(families, sample[1] as string) ?? family(sample[1] as string);
    const labels = parseLabels(sample[3] ?? '', where);
    for (const name of labels.keys()) f.labelNames.add(name);
    f.series.push(`${sample[1]}{${[...labels].sort().map(([k, v]) => `${k}="${v}"`).join(',')}}`);
  });
  return [...families.values()];
}

/** promlint's problems for one family, in its order of rules. */
function lintFamily(f: Family): string[] {
  const problems: string[] = [];
  const tokens = f.name.split('_');
  if (!f.help) problems.push('no help text');
  for (const token of tokens) {
    for (const unit of BASE_UNITS) {
      const prefix = UNIT_PREFIXES.find((p) => token === p + unit);
      if (prefix) problems.push(`use base unit "${unit}" instead of "${token}"`);
    }
  }
  const isCounter = f.type === 'counter';
  if (isCounter && !f.name.endsWith('_total')) problems.push('counter metrics should have "_total" suffix');
  if (!isCounter && f.name.endsWith('_total')) problems.push('non-counter metrics should not have "_total" suffix');
  if (f.type !== 'histogram' && f.type !== 'summary') {
    for (const suffix of ['_bucket', '_count', '_sum']) if (f.name.endsWith(suffix)) problems.push(`non-histogram and non-summary metrics should not have "${suffix}" suffix`);
  }
  if (f.type !== 'histogram' && f.labelNames.has('le')) problems.push('non-histogram metrics should not have "le" label');
  if (f.type !== 'summary' && f.labelNames.has('quantile')) problems.push('non-summary metrics should not have "quantile" label');
  for (const type of TYPES) if (tokens.includes(type)) problems.push(`metric name should not include type '${type}'`);
  if (f.name.includes(':')) problems.push("metric names should not contain ':'");
  if (/[a-z][A-Z]/.test(f.name)) problems.push("metric names should be written in 'snake_case' not 'camelCase'");
  if ([...f.labelNames].some((l) => /[a-z][A-Z]/.test(l))) problems.push("label names should be written in 'snake_case' not 'camelCase'");
  if (tokens.some((t) => UNIT_ABBREVIATIONS.has(t))) problems.push('metric names should not contain abbreviated units');
  const seen = new Set<string>();
  for (const series of f.series) {
    if (seen.has(series)) problems.push(`metric not unique: ${series}`);
    seen.add(series);
  }
  return problems;
}

/** What `promtool check metrics` would print for `text`, one problem per line; empty when it passes. */
export function promlint(text: string): LintProblem[] {
  return parseExposition(text).flatMap((f) => lintFamily(f).map((problem) => ({ metric: f.name, text: problem })));
}

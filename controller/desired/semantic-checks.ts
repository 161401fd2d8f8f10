import type { Issue } from './parse-documents.js';
import type { FieldPath, Placement } from './positions.js';
import { issueAt, type CheckedDocument } from './checked-document.js';
import { formatDuration, parseDuration, parseSize } from './quantities.js';
import { quote } from './schema-errors.js';
import { notifierProblems } from './notifier-checks.js';
import { labelKeyProblem, selectorProblems } from './selector.js';
import type { LabelSelectorSpec } from './types.js';

/**
 * Rules one document must follow that its schema cannot say: stages that rise to 100, real time
 * zones, durations and sizes that fit, calendars over https, sound label keys and selectors.
 * Only called on documents that passed their schema, so fields have the schema's types.
 */
export function documentRules(checked: CheckedDocument): Issue[] {
  const issues: Issue[] = [];
  const add: Add = (path, message, placement = 'value') => issues.push(issueAt(checked.document, path, message, placement));
  const spec = (checked.value.spec ?? {}) as Record<string, unknown>;
  checkLabelKeys(checked, add);
  switch (checked.def.kind) {
    case 'Fleet':
      checkFleet(spec, add);
      break;
    case 'Rollout':
      checkRollout(spec, add);
      break;
    case 'RetentionPolicy':
      checkRetention(spec, add);
      break;
    case 'OtsPolicy':
      checkOtsPolicy(spec, add);
      break;
    case 'Notifier':
      for (const problem of notifierProblems(spec)) add(problem.path, problem.message, problem.placement);
      break;
    default:
      break;
  }
  return issues;
}

type Add = (path: FieldPath, message: string, placement?: Placement) => void;

/** The duration at `path` in ms; reports it when it overflows or (unless zero is allowed) is zero. */
function duration(spec: Record<string, unknown>, path: FieldPath, add: Add, allowZero = false): number | null {
  let value: unknown = spec;
  for (const segment of path) value = (value as Record<string | number, unknown> | undefined)?.[segment];
  if (typeof value !== 'string') return null;
  const ms = parseDuration(value);
  if (ms === null) add(['spec', ...path], `duration ${quote(value)} is too large`);
  else if (ms === 0 && !allowZero) add(['spec', ...path], 'duration must be longer than 0s');
  return ms;
}

function checkFleet(spec: Record<string, unknown>, add: Add): void {
  const interval = duration(spec, ['checkinInterval'], add);
  const offline = duration(spec, ['offlineAfter'], add);
  if (interval && offline && offline < interval) {
    add(['spec', 'offlineAfter'], `offlineAfter (${formatDuration(offline)}) must be at least checkinInterval (${formatDuration(interval)}), or every appliance reads as offline`);
  }
}

function checkRollout(spec: Record<string, unknown>, add: Add): void {
  const stages = (spec.stages ?? []) as { percent: number; soak?: string }[];
  stages.forEach((stage, i) => {
    duration(spec, ['stages', i, 'soak'], add, true);
    const previous = stages[i - 1];
    if (previous && stage.percent <= previous.percent) {
      add(['spec', 'stages', i, 'percent'], `stages must be strictly increasing (${stage.percent} follows ${previous.percent})`);
    }
  });
  const last = stages[stages.length - 1];
  if (last && last.percent !== 100) add(['spec', 'stages', stages.length - 1, 'percent'], `stages must end at 100 (last is ${last.percent})`);
  duration(spec, ['progressDeadline'], add);
  if (spec.selector) checkSelector(spec.selector as LabelSelectorSpec, add);
  const window = spec.window as { days: string[]; timeZone: string } | undefined;
  if (window) {
    window.days.forEach((day, i) => {
      if (window.days.indexOf(day) !== i) add(['spec', 'window', 'days', i], `day \`${day}\` is listed twice`);
    });
    if (!isTimeZone(window.timeZone)) {
      add(['spec', 'window', 'timeZone'], `unknown time zone ${quote(window.timeZone)}; use an IANA name such as Europe/Berlin or UTC`);
    }
  }
}

function checkRetention(spec: Record<string, unknown>, add: Add): void {
  const pruneEvery = duration(spec, ['incidents', 'pruneEvery'], add);
  if (pruneEvery !== null && pruneEvery > 0 && pruneEvery < 1000) add(['spec', 'incidents', 'pruneEvery'], 'pruneEvery must be at least 1s');
  const size = spec.maxDatabaseBytes as string | number | undefined;
  if (size !== undefined && parseSize(size) === null) add(['spec', 'maxDatabaseBytes'], `size ${quote(size)} is too large`);
  if (spec.selector) checkSelector(spec.selector as LabelSelectorSpec, add);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

function checkOtsPolicy(spec: Record<string, unknown>, add: Add): void {
  duration(spec, ['expireAfter'], add);
  duration(spec, ['upgradeEvery'], add);
  const calendars = (spec.calendars ?? []) as string[];
  calendars.forEach((calendar, i) => {
    const path = ['spec', 'calendars', i];
    let url: URL;
    try {
      url = new URL(calendar);
    } catch {
      add(path, `${quote(calendar)} is not a valid URL`);
      return;
    }
    if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
      add(path, 'calendar must use https:// (http:// is allowed only on 127.0.0.1, ::1 or localhost)');
    } else if (calendars.indexOf(calendar) !== i) {
      add(path, `calendar ${quote(calendar)} is listed twice`);
    }
  });
}

const zoneCache = new Map<string, boolean>();
/** Whether the runtime knows `zone` as an IANA time zone. */
export function isTimeZone(zone: string): boolean {
  let known = zoneCache.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    zoneCache.set(zone, known);
  }
  return known;
}

/** `matchExpressions[0].values` as path segments. */
function parseRelativePath(text: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const [, key, index] of text.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) segments.push(index !== undefined ? Number(index) : (key as string));
  return segments;
}

function checkSelector(selector: LabelSelectorSpec, add: Add): void {
  for (const problem of selectorProblems(selector)) add(['spec', 'selector', ...parseRelativePath(problem.path)], problem.message);
}

/** Label keys are map keys, which the schema does not constrain: appliance labels and matchLabels. */
function checkLabelKeys(checked: CheckedDocument, add: Add): void {
  const maps: [FieldPath, unknown][] = [[['metadata', 'labels'], (checked.value.metadata as Record<string, unknown>).labels]];
  const selector = (checked.value.spec as Record<string, unknown> | undefined)?.selector as LabelSelectorSpec | undefined;
  if (selector) maps.push([['spec', 'selector', 'matchLabels'], selector.matchLabels]);
  for (const [path, map] of maps) {
    for (const key of Object.keys((map ?? {}) as Record<string, unknown>)) {
      const problem = labelKeyProblem(key);
      if (problem) add([...path, key], `label key ${quote(key)} is not valid: ${problem}; use a name such as \`site\`, optionally prefixed by a DNS subdomain and \`/\` (example.com/ring)`, 'key');
    }
  }
}

import { describe, expect, test } from 'vitest';
import { loadFleetFiles } from '../../controller/desired/load.js';
import { appliance, doc, docs, files, fleet, otsPolicy, release, retention, rollout } from './fleet-builders.js';

interface Want {
  file: string;
  path: string;
  /** A part of the message. */
  message: string;
  line?: number;
  column?: number;
}

interface Row {
  name: string;
  given: Record<string, string>;
  want: 'ok' | Want[];
}

const window = (over: Record<string, unknown> = {}) => ({ window: { days: ['mon'], start: '22:00', end: '05:00', timeZone: 'Europe/Berlin', ...over } });

const rows: Row[] = [
  // Stages
  { name: 'a single stage of 100 is enough', given: { 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0')) }, want: 'ok' },
  {
    name: 'stages must rise',
    given: { 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', { stages: [{ percent: 10 }, { percent: 10 }, { percent: 100 }] })) },
    want: [{ file: 'r.yaml', path: 'spec.stages[1].percent', message: 'strictly increasing (10 follows 10)' }],
  },
  {
    name: 'stages must end at 100',
    given: { 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', { stages: [{ percent: 10 }, { percent: 90 }] })) },
    want: [{ file: 'r.yaml', path: 'spec.stages[1].percent', message: 'stages must end at 100 (last is 90)' }],
  },
  {
    name: 'a falling last stage breaks both rules',
    given: { 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', { stages: [{ percent: 50 }, { percent: 40 }] })) },
    want: [
      { file: 'r.yaml', path: 'spec.stages[1].percent', message: 'strictly increasing (40 follows 50)' },
      { file: 'r.yaml', path: 'spec.stages[1].percent', message: 'stages must end at 100 (last is 40)' },
    ],
  },
  // References and names
  { name: 'a Release declared in a later file is found', given: { 'a.yaml': rollout('v1.0.0'), 'z.yaml': release('v1.0.0') }, want: 'ok' },
  {
    name: 'a Rollout naming a missing Release',
    given: { 'a.yaml': rollout('v2.0.0'), 'z.yaml': release('v1.0.0') },
    want: [{ file: 'a.yaml', path: 'spec.release', message: 'Release `v2.0.0` is not declared (declared: v1.0.0)', line: 6, column: 12 }],
  },
  {
    name: 'a missing Release is reported beside the other errors of its Rollout',
    given: { 'a.yaml': rollout('v2.0.0', { paused: 'no' }), 'z.yaml': release('v1.0.0') },
    want: [
      { file: 'a.yaml', path: 'spec.release', message: 'Release `v2.0.0` is not declared' },
      { file: 'a.yaml', path: 'spec.paused', message: 'must be true or false' },
    ],
  },
  {
    name: 'a Release with a schema error still counts as declared',
    given: { 'a.yaml': rollout('v1.0.0'), 'z.yaml': release('v1.0.0').replace('version: 1.0.0', 'version: 1.5') },
    want: [{ file: 'z.yaml', path: 'spec.version', message: 'must be a string' }],
  },
  { name: 'the same name in two kinds is fine', given: { 'a.yaml': docs(release('v1.0.51'), rollout('v1.0.51')) }, want: 'ok' },
  {
    name: 'a duplicate name is reported at the later file',
    given: { 'b.yaml': appliance('x'), 'a.yaml': appliance('x') },
    want: [{ file: 'b.yaml', path: 'metadata.name', message: 'already declared at a.yaml:4:9', line: 4, column: 9 }],
  },
  {
    name: 'a third duplicate is reported against the first',
    given: { 'a.yaml': docs(appliance('x'), appliance('x'), appliance('x')) },
    want: [
      { file: 'a.yaml', path: 'metadata.name', message: 'already declared at a.yaml:4:9', line: 9 },
      { file: 'a.yaml', path: 'metadata.name', message: 'already declared at a.yaml:4:9', line: 14 },
    ],
  },
  {
    name: 'a second Fleet',
    given: { 'a.yaml': fleet(), 'b.yaml': fleet() },
    want: [{ file: 'b.yaml', path: 'metadata.name', message: 'at most one Fleet; `main` is already declared at a.yaml:4:9' }],
  },
  // Retention policies
  {
    name: 'disjoint retention policies are fine',
    given: {
      'a.yaml': docs(appliance('a', { site: 'lab' }), appliance('b', { site: 'clinic' })),
      'p.yaml': docs(retention('lab', { selector: { matchLabels: { site: 'lab' } } }), retention('rest', { selector: { matchExpressions: [{ key: 'site', operator: 'NotIn', values: ['lab'] }] } })),
    },
    want: 'ok',
  },
  { name: 'overlapping policies with no appliance declared are fine', given: { 'p.yaml': docs(retention('a'), retention('b')) }, want: 'ok' },
  {
    name: 'overlapping policies name both files and the appliances',
    given: { 'a.yaml': docs(appliance('a'), appliance('b')), 'p1.yaml': retention('one'), 'p2.yaml': retention('two', { selector: {} }) },
    want: [{ file: 'p2.yaml', path: 'spec.selector', message: 'RetentionPolicy `two` (p2.yaml) and `one` (p1.yaml) both select a, b' }],
  },
  // Windows, durations, sizes
  { name: 'an overnight window is fine', given: { 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', window())) }, want: 'ok' },
  { name: 'a window whose end equals its start is fine', given: { 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', window({ start: '00:00', end: '00:00' }))) }, want: 'ok' },
  {
    name: 'a window in an unknown time zone',
    given: { 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', window({ timeZone: 'Mars/Olympus' }))) },
    want: [{ file: 'r.yaml', path: 'spec.window.timeZone', message: 'unknown time zone `Mars/Olympus`' }],
  },
  {
    name: 'a window day that is not a weekday',
    given: { 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', window({ days: ['mon', 'funday'] }))) },
    want: [{ file: 'r.yaml', path: 'spec.window.days[1]', message: 'must be one of mon, tue, wed, thu, fri, sat, sun' }],
  },
  { name: 'compound durations are fine', given: { 'f.yaml': fleet({ checkinInterval: '1m30s', offlineAfter: '1h' }) }, want: 'ok' },
  {
    name: 'a duration too large to count',
    given: { 'f.yaml': fleet({ checkinInterval: '999999999999999999w' }) },
    want: [{ file: 'f.yaml', path: 'spec.checkinInterval', message: 'is too large' }],
  },
  {
    name: 'offlineAfter shorter than the check-in interval',
    given: { 'f.yaml': fleet({ checkinInterval: '10m', offlineAfter: '5m' }) },
    want: [{ file: 'f.yaml', path: 'spec.offlineAfter', message: 'offlineAfter (5m) must be at least checkinInterval (10m)' }],
  },
  { name: 'a size as a byte count is fine', given: { 'p.yaml': retention('r', { maxDatabaseBytes: 1048576 }) }, want: 'ok' },
  {
    name: 'a negative size',
    given: { 'p.yaml': retention('r', { maxDatabaseBytes: -1 }) },
    want: [{ file: 'p.yaml', path: 'spec.maxDatabaseBytes', message: 'must be at least 0' }],
  },
  {
    name: 'a size too large to count',
    given: { 'p.yaml': retention('r', { maxDatabaseBytes: '99999999999999Ti' }) },
    want: [{ file: 'p.yaml', path: 'spec.maxDatabaseBytes', message: 'is too large' }],
  },
  // Calendars
  { name: 'http calendars on loopback are fine', given: { 'o.yaml': otsPolicy('o', { calendars: ['http://127.0.0.1:1', 'http://localhost:2', 'http://[::1]:3'] }) }, want: 'ok' },
  {
    name: 'an http calendar elsewhere',
    given: { 'o.yaml': otsPolicy('o', { calendars: ['http://10.0.0.1:14788'] }) },
    want: [{ file: 'o.yaml', path: 'spec.calendars[0]', message: 'calendar must use https://' }],
  },
  {
    name: 'a calendar that is not a URL',
    given: { 'o.yaml': otsPolicy('o', { calendars: ['alice.btc.calendar.opentimestamps.org'] }) },
    want: [{ file: 'o.yaml', path: 'spec.calendars[0]', message: 'must be an https:// URL' }],
  },
  // Selectors and labels
  {
    name: 'NotIn without values',
    given: { 'p.yaml': retention('r', { selector: { matchExpressions: [{ key: 'ring', operator: 'NotIn' }] } }) },
    want: [{ file: 'p.yaml', path: 'spec.selector.matchExpressions[0].values', message: 'operator NotIn needs at least one value' }],
  },
  {
    name: 'DoesNotExist with values',
    given: { 'p.yaml': retention('r', { selector: { matchExpressions: [{ key: 'ring', operator: 'DoesNotExist', values: ['x'] }] } }) },
    want: [{ file: 'p.yaml', path: 'spec.selector.matchExpressions[0].values', message: 'operator DoesNotExist takes no values' }],
  },
  {
    name: 'a matchLabels key that is not a label key',
    given: { 'p.yaml': retention('r', { selector: { matchLabels: { 'no spaces': 'x' } } }) },
    want: [{ file: 'p.yaml', path: 'spec.selector.matchLabels["no spaces"]', message: 'label key `no spaces` is not valid' }],
  },
  { name: 'a prefixed label key is fine', given: { 'a.yaml': appliance('a', { 'example.com/ring': 'canary' }) }, want: 'ok' },
  // Kinds and shapes
  {
    name: 'an unknown kind hides nothing else',
    given: { 'a.yaml': docs(doc('Widget', 'w', {}), appliance('Bad_Name')) },
    want: [
      { file: 'a.yaml', path: 'kind', message: 'unknown kind `Widget`', line: 2, column: 7 },
      { file: 'a.yaml', path: 'metadata.name', message: 'must be a DNS subdomain', line: 10, column: 9 },
    ],
  },
  {
    name: 'a misspelt field gets a suggestion',
    given: { 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', { pasued: true })) },
    want: [{ file: 'r.yaml', path: 'spec.pasued', message: 'unknown field `pasued` (did you mean `paused`?)' }],
  },
  {
    name: 'an Appliance with a spec',
    given: { 'a.yaml': doc('Appliance', 'a', { labels: {} }) },
    want: [{ file: 'a.yaml', path: 'spec', message: 'unknown field `spec`' }],
  },
  { name: 'other files are ignored', given: { 'README.md': 'kind: nonsense: [', 'a.yml': appliance('a'), 'b.YAML': appliance('b') }, want: 'ok' },
  { name: 'comment-only files and empty documents are ignored', given: { 'a.yaml': '# nothing yet\n', 'b.yaml': `---\n${appliance('b')}---\n---\n` }, want: 'ok' },
  {
    name: 'a tab and a duplicate key in one document are two errors',
    given: { 'a.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: Appliance\nkind: Appliance\nmetadata:\n\tname: a\n' },
    want: [
      { file: 'a.yaml', path: 'kind', message: 'duplicate key `kind` (first on line 2)', line: 3, column: 1 },
      { file: 'a.yaml', path: '', message: 'tabs are not allowed', line: 5, column: 1 },
    ],
  },
];

describe('loader rules', () => {
  test.each(rows)('$name', ({ given, want }) => {
    const result = loadFleetFiles(files(given), 'rev');
    if (want === 'ok') {
      expect(result.ok ? [] : result.errors).toEqual([]);
      return;
    }
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toHaveLength(want.length);
    want.forEach((w, i) => {
      const e = errors[i];
      expect(e, `error ${i}`).toMatchObject({ file: w.file, path: w.path, ...(w.line ? { line: w.line } : {}), ...(w.column ? { column: w.column } : {}) });
      expect(e?.message).toContain(w.message);
    });
  });
});

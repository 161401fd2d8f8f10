import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { loadFleetFiles, type FleetFile } from '../../controller/desired/load.js';
import { readFleetDirectory } from '../../controller/desired/load-directory.js';
import type { LoadResult } from '../../controller/desired/types.js';

// Valid repositories to start from: every mutation is applied to one file of one of them.
const repositories: FleetFile[][] = await Promise.all(
  ['fleet-repo-example', 'test/fixtures/valid/full', 'test/fixtures/valid/defaults'].map(async (dir) => (await readFleetDirectory(dir)).files),
);

type Path = (string | number)[];
const RUNS = Number(process.env.MUSTER_PROPERTY_RUNS ?? 250);

function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...children.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

function parentAndKey(root: unknown, path: Path): [Record<string | number, unknown>, string | number] | null {
  if (path.length === 0) return null;
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  return [node, path[path.length - 1] as string | number];
}

/** A change to one value of a document: delete it, replace it, change its type, or add a stray field. */
const structural = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'retype', 'add'),
  pick: fc.nat(),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('', '90x', '-1', '100', 'v1.0.51', 'https://x', 'Europe/Nowhere', '25:00')),
  key: fc.oneof(fc.constantFrom('spec', 'kind', 'metadata', 'name', 'percent'), fc.string({ maxLength: 8 })),
});

function retype(value: unknown): unknown {
  if (typeof value === 'string') return Number.isNaN(Number(value)) ? [value] : Number(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 0;
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]));
  if (value && typeof value === 'object') return Object.values(value);
  return {};
}

function mutateDocument(content: string, m: { kind: string; pick: number; value: unknown; key: string }): string {
  const values = parseAllDocuments(content).flatMap((d) => ('toJS' in d ? [d.toJS() as unknown] : []));
  if (values.length === 0) return content;
  const index = m.pick % values.length;
  const target = values[index];
  const paths = pathsOf(target);
  const path = paths[m.pick % paths.length] as Path;
  const at = parentAndKey(target, path);
  if (m.kind === 'add') {
    const holder = (at ? at[0][at[1]] : target) as unknown;
    if (holder && typeof holder === 'object' && !Array.isArray(holder)) (holder as Record<string, unknown>)[m.key] = m.value;
  } else if (at) {
    const [parent, key] = at;
    if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else parent[key] = m.kind === 'replace' ? m.value : retype(parent[key]);
  } else {
    values[index] = m.kind === 'replace' ? m.value : retype(target);
  }
  return values.map((v) => stringify(v)).join('---\n');
}

/** A change to the text: characters removed or inserted (YAML's special ones among them), a line doubled, the end cut off. */
const textual = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'duplicate-line', 'truncate'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 12 }),
  text: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('\t', ':', ': ', '- ', '"', "'", '&a ', '*a', '*b', '---\n', '{', '[', ']', '\n  ', '#', '!!int ', '? ', '|', '%YAML 1.1\n', '\u0000', '\ufeff')),
});

function mutateText(content: string, m: { kind: string; at: number; length: number; text: string }): string {
  const at = content.length ? m.at % content.length : 0;
  switch (m.kind) {
    case 'delete':
      return content.slice(0, at) + content.slice(at + m.length);
    case 'insert':
      return content.slice(0, at) + m.text + content.slice(at);
    case 'duplicate-line': {
      const lines = content.split('\n');
      const i = m.at % lines.length;
      lines.splice(i, 0, lines[i] as string);
      return lines.join('\n');
    }
    default:
      return content.slice(0, at);
  }
}

/** The invariant: a state, or errors that each point inside one of the given files. */
function checkResult(result: LoadResult, given: FleetFile[]): void {
  if (result.ok) {
    expect(result.state.objects.length).toBeGreaterThanOrEqual(0);
    expect('errors' in result).toBe(false);
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  for (const error of result.errors) {
    const file = given.find((f) => f.path === error.file);
    expect(file, `error in an unknown file ${error.file}`).toBeDefined();
    // Lines end at \n, as the YAML parser counts them.
    const lines = (file as FleetFile).content.split('\n');
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.line).toBeLessThanOrEqual(lines.length);
    expect(error.column).toBeGreaterThanOrEqual(1);
    expect(error.column).toBeLessThanOrEqual((lines[error.line - 1] as string).length + 1);
    expect(error.message.length).toBeGreaterThan(0);
  }
}

function withMutatedFile(repo: number, file: number, mutate: (content: string) => string): FleetFile[] {
  const files = repositories[repo % repositories.length] as FleetFile[];
  const chosen = file % files.length;
  return files.map((f, i) => (i === chosen ? { path: f.path, content: mutate(f.content) } : f));
}

describe('random mutations of valid repositories', () => {
  test('the unmutated repositories are valid', () => {
    for (const files of repositories) expect(loadFleetFiles(files, 'r').ok).toBe(true);
  });

  test('changed values never make the loader throw; errors point inside the files', () => {
    const outcomes = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.array(structural, { minLength: 1, maxLength: 3 }), (repo, file, mutations) => {
        const given = withMutatedFile(repo, file, (content) => mutations.reduce(mutateDocument, content));
        const result = loadFleetFiles(given, 'r');
        checkResult(result, given);
        expect(loadFleetFiles(given, 'r')).toEqual(result);
        outcomes[result.ok ? 'valid' : 'invalid'] += 1;
      }),
      { numRuns: RUNS },
    );
    // The mutations must reach the checks, not only leave the files as they were.
    expect(outcomes.invalid).toBeGreaterThan(RUNS / 4);
  });

  test('garbled text never makes the loader throw; errors point inside the files', () => {
    let invalid = 0;
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.array(textual, { minLength: 1, maxLength: 4 }), (repo, file, mutations) => {
        const given = withMutatedFile(repo, file, (content) => mutations.reduce(mutateText, content));
        const result = loadFleetFiles(given, 'r');
        checkResult(result, given);
        if (!result.ok) invalid += 1;
      }),
      { numRuns: RUNS },
    );
    expect(invalid).toBeGreaterThan(RUNS / 4);
  });
});

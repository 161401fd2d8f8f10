import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The repository's files outside test/ (tracked or new, not ignored), with text worth reading. */
const FILES = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && !f.startsWith('test/') && existsSync(f) && /\.(ts|js|mjs|md|ya?ml|json|service|env)$|^\.ci\//.test(f) && f !== 'package-lock.json');

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchors(markdownFile: string): Set<string> {
  const text = readFileSync(markdownFile, 'utf8').replace(/^(`{3,}|~{3,})[\s\S]*?^\1/gm, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1] as string)));
}

/** Whether `target` (a path, maybe with `#anchor`) names something in the repository, seen from `file`. */
function resolves(file: string, target: string): boolean {
  const [path = '', anchor] = target.split('#');
  const candidates = path === '' ? [file] : [normalize(join(dirname(file), path)), normalize(path)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) return false;
  return anchor === undefined || !found.endsWith('.md') || anchors(found).has(anchor);
}

/** Every reference in `text` to a document, with its line: `*.md` names and markdown link targets. */
function references(file: string, text: string): { line: number; target: string; problem?: string }[] {
  const out: { line: number; target: string; problem?: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\b(https?|file|ssh|git):\/\/\S+/g, ' ');
    for (const m of line.matchAll(/\/work\/\S*|\.\.\/shared\/\S*/g)) out.push({ line: i + 1, target: m[0], problem: 'a path outside the repository' });
    for (const m of line.matchAll(/[\w./-]*[\w-]\.md(#[\w-]+)?\b/g)) out.push({ line: i + 1, target: m[0] });
    if (file.endsWith('.md')) for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) if (!/^(mailto:|#$)/.test(m[1] as string)) out.push({ line: i + 1, target: m[1] as string });
  });
  return out.filter((r, i) => out.findIndex((o) => o.line === r.line && o.target === r.target) === i);
}

describe('references to documents', () => {
  it('every document a file outside test/ refers to is in the repository', () => {
    const problems: string[] = [];
    for (const file of FILES) {
      for (const ref of references(file, readFileSync(file, 'utf8'))) {
        if (ref.problem) problems.push(`${file}:${ref.line}: ${ref.target}: ${ref.problem}`);
        else if (!resolves(file, ref.target)) problems.push(`${file}:${ref.line}: ${ref.target} is not in the repository`);
      }
    }
    expect(problems).toEqual([]);
    expect(FILES.length, 'files read').toBeGreaterThan(100);
  });

  const cases: { name: string; given: { file: string; text: string }; want: string[] }[] = [
    { name: 'a document the repository lacks', given: { file: 'controller/x.ts', text: '// as DESIGN.md says' }, want: ['DESIGN.md'] },
    { name: 'a machine path', given: { file: 'docs/x.md', text: 'see /work/shared/STYLE.md' }, want: ['/work/shared/STYLE.md'] },
    { name: 'a link to a missing anchor', given: { file: 'docs/plan.md', text: 'see [it](stores.md#no-such-heading)' }, want: ['stores.md#no-such-heading'] },
    { name: 'docs that exist, relative to the file or the root', given: { file: 'docs/plan.md', text: '[a](stores.md#expiring-proofs) docs/protocol.md [b](#formats)' }, want: [] },
    { name: 'a URL is not a repository path', given: { file: 'README.md', text: 'https://example.org/guide/NOTES.md' }, want: [] },
  ];
  it.each(cases)('finds $name', ({ given, want }) => {
    const bad = references(given.file, given.text).filter((r) => r.problem || !resolves(given.file, r.target));
    expect(bad.map((r) => r.target)).toEqual(want);
  });
});

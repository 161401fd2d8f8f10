import { isScalar, parseAllDocuments, type Document } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseFleetDocuments, type ParsedFileDocument } from '../../controller/desired/parse-documents.js';

const DOC = (name: string) => `apiVersion: muster.dev/v1\nkind: Appliance\nmetadata:\n  name: ${name}\n`;

/** Nothing but comments or blank lines: a document the fleet loader skips. */
const blank = (doc: Document) =>
  doc.errors.length === 0 && (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && doc.contents.range?.[0] === doc.contents.range?.[1]));

/** The documents of a file parsed whole by yaml's own parseAllDocuments, blank ones left out, for comparison. */
function wholeFile(content: string) {
  const docs = parseAllDocuments(content, { prettyErrors: false, logLevel: 'silent', uniqueKeys: true });
  return (Array.isArray(docs) ? docs : []).flatMap((doc, index) => (blank(doc) ? [] : [{ index, errors: doc.errors.map((e) => e.code) }]));
}

describe('a fleet file parsed one document at a time', () => {
  it.each([
    ['one document', DOC('a')],
    ['three documents', [DOC('a'), DOC('b'), DOC('c')].join('---\n')],
    ['a leading and a trailing separator', `---\n${DOC('a')}---\n${DOC('b')}---\n`],
    ['comments only', '# nothing here\n# yet\n'],
    ['an empty file', ''],
    ['a syntax error in the middle document', [DOC('a'), 'metadata: [unclosed\n', DOC('c')].join('---\n')],
    ['a duplicate key in the last document', [DOC('a'), `${DOC('b')}kind: Release\n`].join('---\n')],
    ['an alias to an anchor of its own document', `${DOC('a')}spec: &s {x: 1}\nother: *s\n`],
    ['an alias to an anchor of another document', [`${DOC('a')}spec: &s {x: 1}\n`, `${DOC('b')}spec: *s\n`].join('---\n')],
  ])('%s: the documents and errors parseAllDocuments finds, in order', (_name, content) => {
    const streamed = [...parseFleetDocuments({ path: 'f.yaml', content })];
    expect(streamed.map((s) => ({ index: s.document.index, errors: s.document.doc.errors.map((e) => e.code) }))).toEqual(wholeFile(content));
  });

  it('yields each document with its own problems, before parsing the next', () => {
    const content = [DOC('a'), 'metadata: [unclosed\n', DOC('c')].join('---\n');
    const documents = parseFleetDocuments({ path: 'f.yaml', content });
    const first = documents.next();
    expect(first.done).toBe(false);
    const { document, issues } = first.value as ParsedFileDocument;
    expect(document.value).toMatchObject({ metadata: { name: 'a' } });
    expect(issues).toEqual([]);
    const second = documents.next().value as ParsedFileDocument;
    expect(second.document.sound).toBe(false);
    expect(second.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^YAML syntax error/)]);
  });
});

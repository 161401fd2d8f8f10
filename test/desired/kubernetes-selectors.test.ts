import { describe, expect, test } from 'vitest';
import { loadFleetFiles } from '../../controller/desired/load.js';
import { formatSelector, matchesSelector } from '../../controller/desired/selector.js';
import type { LabelSelectorSpec } from '../../controller/desired/types.js';
import { compileSelector } from '../../controller/reconcile/eligible.js';
import { appliance, docs, files, retention } from './fleet-builders.js';

/**
 * Label selectors as Kubernetes defines them. The cases are rebuilt from Kubernetes' own tests in
 * k8s.io/apimachinery — `pkg/labels/selector_test.go` (TestSelectorMatches, TestRequirementConstructor,
 * TestToString) and `pkg/apis/meta/v1/helpers_test.go` (TestLabelSelectorAsSelector) — and from
 * `pkg/util/validation` (IsQualifiedName, IsValidLabelValue), translated from their string form
 * (`x in (a,b)`) into the structured `matchLabels`/`matchExpressions` a fleet repository writes.
 * One deliberate difference is kept and tested last: an absent selector selects every appliance
 * (Kubernetes' LabelSelectorAsSelector(nil) selects nothing).
 */

const In = (key: string, ...values: string[]) => ({ key, operator: 'In' as const, values });
const NotIn = (key: string, ...values: string[]) => ({ key, operator: 'NotIn' as const, values });
const Exists = (key: string) => ({ key, operator: 'Exists' as const });
const DoesNotExist = (key: string) => ({ key, operator: 'DoesNotExist' as const });

interface MatchRow {
  name: string;
  given: { selector: LabelSelectorSpec; labels: Record<string, string> };
  want: boolean;
}

// Mirrors TestSelectorMatches / TestSelectorDoesNotMatch (selector_test.go) and the matching half of
// TestLabelSelectorAsSelector (helpers_test.go).
const matches: MatchRow[] = [
  { name: 'empty selector matches anything', given: { selector: {}, labels: { x: 'y' } }, want: true },
  { name: 'empty selector matches no labels', given: { selector: {}, labels: {} }, want: true },
  { name: 'x=y on x=y', given: { selector: { matchLabels: { x: 'y' } }, labels: { x: 'y' } }, want: true },
  { name: 'x=y on x=z', given: { selector: { matchLabels: { x: 'y' } }, labels: { x: 'z' } }, want: false },
  { name: 'x=y on no x', given: { selector: { matchLabels: { x: 'y' } }, labels: { y: 'x' } }, want: false },
  { name: 'x=y,z=w on both', given: { selector: { matchLabels: { x: 'y', z: 'w' } }, labels: { x: 'y', z: 'w' } }, want: true },
  { name: 'x=y,z=w on one wrong', given: { selector: { matchLabels: { x: 'y', z: 'w' } }, labels: { x: 'w', z: 'w' } }, want: false },
  { name: 'x= (empty value) on x=""', given: { selector: { matchLabels: { x: '' } }, labels: { x: '' } }, want: true },
  { name: 'x= (empty value) on no x', given: { selector: { matchLabels: { x: '' } }, labels: {} }, want: false },
  { name: 'keys are case sensitive', given: { selector: { matchLabels: { x: 'y' } }, labels: { X: 'y' } }, want: false },
  { name: 'values are case sensitive', given: { selector: { matchLabels: { x: 'y' } }, labels: { x: 'Y' } }, want: false },
  { name: 'x in (y,z) on x=z', given: { selector: { matchExpressions: [In('x', 'y', 'z')] }, labels: { x: 'z' } }, want: true },
  { name: 'x in (y,z) on x=w', given: { selector: { matchExpressions: [In('x', 'y', 'z')] }, labels: { x: 'w' } }, want: false },
  { name: 'x in (y) on no x', given: { selector: { matchExpressions: [In('x', 'y')] }, labels: {} }, want: false },
  { name: 'x notin (y) on x=z', given: { selector: { matchExpressions: [NotIn('x', 'y')] }, labels: { x: 'z' } }, want: true },
  { name: 'x notin (y) on x=y', given: { selector: { matchExpressions: [NotIn('x', 'y')] }, labels: { x: 'y' } }, want: false },
  { name: 'x notin (y) on no x', given: { selector: { matchExpressions: [NotIn('x', 'y')] }, labels: { z: 'y' } }, want: true },
  { name: 'x notin ("") on no x', given: { selector: { matchExpressions: [NotIn('x', '')] }, labels: {} }, want: true },
  { name: 'x (exists) on x=z', given: { selector: { matchExpressions: [Exists('x')] }, labels: { x: 'z' } }, want: true },
  { name: 'x (exists) on x=""', given: { selector: { matchExpressions: [Exists('x')] }, labels: { x: '' } }, want: true },
  { name: 'x (exists) on no x', given: { selector: { matchExpressions: [Exists('x')] }, labels: { y: 'x' } }, want: false },
  { name: '!x on no x', given: { selector: { matchExpressions: [DoesNotExist('x')] }, labels: { y: 'z' } }, want: true },
  { name: '!x on x=""', given: { selector: { matchExpressions: [DoesNotExist('x')] }, labels: { x: '' } }, want: false },
  { name: 'Exists with values: [] on x', given: { selector: { matchExpressions: [{ ...Exists('x'), values: [] }] }, labels: { x: 'a' } }, want: true },
  { name: 'DoesNotExist with values: [] on no x', given: { selector: { matchExpressions: [{ ...DoesNotExist('x'), values: [] }] }, labels: {} }, want: true },
  { name: 'x in (a,b),x notin (b) on x=a', given: { selector: { matchExpressions: [In('x', 'a', 'b'), NotIn('x', 'b')] }, labels: { x: 'a' } }, want: true },
  { name: 'x in (a,b),x notin (b) on x=b', given: { selector: { matchExpressions: [In('x', 'a', 'b'), NotIn('x', 'b')] }, labels: { x: 'b' } }, want: false },
  { name: 'x,!x never matches', given: { selector: { matchExpressions: [Exists('x'), DoesNotExist('x')] }, labels: { x: 'a' } }, want: false },
  {
    name: 'matchLabels and matchExpressions are ANDed: both hold',
    given: { selector: { matchLabels: { foo: 'bar' }, matchExpressions: [In('baz', 'qux', 'norf')] }, labels: { foo: 'bar', baz: 'norf' } },
    want: true,
  },
  {
    name: 'matchLabels and matchExpressions are ANDed: one fails',
    given: { selector: { matchLabels: { foo: 'bar' }, matchExpressions: [In('baz', 'qux', 'norf')] }, labels: { foo: 'bar' } },
    want: false,
  },
  {
    name: 'matchLabels contradicted by an expression',
    given: { selector: { matchLabels: { x: 'y' }, matchExpressions: [NotIn('x', 'y')] }, labels: { x: 'y' } },
    want: false,
  },
  { name: 'a prefixed key', given: { selector: { matchLabels: { 'example.com/ring': 'canary' } }, labels: { 'example.com/ring': 'canary' } }, want: true },
  { name: 'a prefixed key is not its bare name', given: { selector: { matchLabels: { 'example.com/ring': 'canary' } }, labels: { ring: 'canary' } }, want: false },
  { name: 'an object property name is not a label', given: { selector: { matchExpressions: [Exists('constructor')] }, labels: {} }, want: false },
  { name: 'toString is not a value of an absent label', given: { selector: { matchLabels: { toString: 'x' } }, labels: {} }, want: false },
];

describe('label selectors match as in Kubernetes', () => {
  test.each(matches)('$name', ({ given, want }) => {
    expect(matchesSelector(given.selector, given.labels)).toBe(want);
    expect(compileSelector(given.selector)(given.labels), 'the compiled selector agrees').toBe(want);
  });
});

interface ValidityRow {
  name: string;
  given: Record<string, unknown>;
  /** `ok`, or a part of the one error's path and message. */
  want: 'ok' | { path: string; message: string };
}

const long = (n: number) => 'a'.repeat(n);

// Mirrors TestRequirementConstructor (selector_test.go: values required for In/NotIn, forbidden for
// Exists/DoesNotExist, key and value syntax), the error cases of TestLabelSelectorAsSelector
// (helpers_test.go: unknown operators) and IsQualifiedName / IsValidLabelValue (validation_test.go).
const validity: ValidityRow[] = [
  { name: 'In with a value', given: { matchExpressions: [In('x', 'foo')] }, want: 'ok' },
  { name: 'NotIn with values', given: { matchExpressions: [NotIn('x', 'foo', 'bar')] }, want: 'ok' },
  { name: 'In without values', given: { matchExpressions: [{ key: 'x', operator: 'In' }] }, want: { path: 'matchExpressions[0].values', message: 'needs at least one value' } },
  { name: 'In with values: []', given: { matchExpressions: [In('x')] }, want: { path: 'matchExpressions[0].values', message: 'needs at least one value' } },
  { name: 'NotIn with values: []', given: { matchExpressions: [NotIn('x')] }, want: { path: 'matchExpressions[0].values', message: 'needs at least one value' } },
  { name: 'Exists without values', given: { matchExpressions: [Exists('x')] }, want: 'ok' },
  { name: 'Exists with values: []', given: { matchExpressions: [{ ...Exists('x'), values: [] }] }, want: 'ok' },
  { name: 'DoesNotExist with values: []', given: { matchExpressions: [{ ...DoesNotExist('x'), values: [] }] }, want: 'ok' },
  { name: 'Exists with a value', given: { matchExpressions: [{ ...Exists('x'), values: ['a'] }] }, want: { path: 'matchExpressions[0].values', message: 'takes no values' } },
  { name: 'DoesNotExist with a value', given: { matchExpressions: [{ ...DoesNotExist('x'), values: ['a'] }] }, want: { path: 'matchExpressions[0].values', message: 'takes no values' } },
  { name: 'operator in (lower case)', given: { matchExpressions: [{ key: 'x', operator: 'in', values: ['a'] }] }, want: { path: 'matchExpressions[0].operator', message: 'must be one of' } },
  { name: 'operator Gt', given: { matchExpressions: [{ key: 'x', operator: 'Gt', values: ['1'] }] }, want: { path: 'matchExpressions[0].operator', message: 'must be one of' } },
  { name: 'key starting with a digit', given: { matchExpressions: [In('1foo', 'bar')] }, want: 'ok' },
  { name: 'key of digits', given: { matchExpressions: [In('1234', 'bar')] }, want: 'ok' },
  { name: 'key with _ . - and capitals inside', given: { matchLabels: { 'A.b_c-D': 'x' } }, want: 'ok' },
  { name: 'key name of 63 characters', given: { matchLabels: { [long(63)]: 'x' } }, want: 'ok' },
  { name: 'key name of 64 characters', given: { matchLabels: { [long(64)]: 'x' } }, want: { path: `matchLabels.${long(64)}`, message: 'at most 63' } },
  { name: 'prefixed key', given: { matchLabels: { 'example.com/ring': 'x' } }, want: 'ok' },
  { name: 'prefix of 253 characters', given: { matchExpressions: [Exists(`${long(253)}/x`)] }, want: 'ok' },
  { name: 'prefix and a name of 63 characters', given: { matchExpressions: [In(`example.com/${long(63)}`, 'v')] }, want: 'ok' },
  { name: 'a numeric prefix', given: { matchLabels: { '1.2.3.4/x': 'v' } }, want: 'ok' },
  { name: 'a name of 64 characters after a prefix', given: { matchLabels: { [`example.com/${long(64)}`]: 'v' } }, want: { path: 'matchLabels', message: 'its name is 64 characters long; at most 63' } },
  { name: 'an expression key that is not a qualified name', given: { matchExpressions: [Exists('x y')] }, want: { path: 'matchExpressions[0].key', message: '' } },
  { name: 'matchLabels with an Exists on another key', given: { matchLabels: { foo: 'bar' }, matchExpressions: [Exists('baz')] }, want: 'ok' },
  { name: 'an unknown operator', given: { matchExpressions: [{ key: 'foo', operator: 'invalid' }] }, want: { path: 'matchExpressions[0].operator', message: 'must be one of' } },
  { name: 'an expression without a key', given: { matchExpressions: [{ operator: 'Exists' }] }, want: { path: 'matchExpressions[0]', message: 'key' } },
  { name: 'prefix of 254 characters (expression)', given: { matchExpressions: [Exists(`${long(254)}/x`)] }, want: { path: 'matchExpressions[0].key', message: 'prefix is 254 characters long; at most 253' } },
  { name: 'prefix of 254 characters (matchLabels)', given: { matchLabels: { [`${long(254)}/x`]: 'y' } }, want: { path: 'matchLabels', message: 'prefix is 254 characters long; at most 253' } },
  { name: 'prefix in capitals', given: { matchLabels: { 'Example.com/x': 'y' } }, want: { path: 'matchLabels["Example.com/x"]', message: 'DNS subdomain' } },
  { name: 'prefix with an underscore', given: { matchLabels: { 'example_com/x': 'y' } }, want: { path: 'matchLabels["example_com/x"]', message: 'DNS subdomain' } },
  { name: 'prefix with an empty label', given: { matchLabels: { 'example..com/x': 'y' } }, want: { path: 'matchLabels["example..com/x"]', message: 'DNS subdomain' } },
  { name: 'empty prefix', given: { matchLabels: { '/x': 'y' } }, want: { path: 'matchLabels["/x"]', message: 'prefix before `/` is empty' } },
  { name: 'empty name after a prefix', given: { matchLabels: { 'example.com/': 'y' } }, want: { path: 'matchLabels["example.com/"]', message: 'name is empty' } },
  { name: 'two slashes', given: { matchLabels: { 'a/b/c': 'y' } }, want: { path: 'matchLabels["a/b/c"]', message: 'at most one `/`' } },
  { name: 'empty key', given: { matchLabels: { '': 'y' } }, want: { path: 'matchLabels[""]', message: 'name is empty' } },
  { name: 'key starting with -', given: { matchLabels: { '-x': 'y' } }, want: { path: 'matchLabels["-x"]', message: 'starting and ending with a letter or digit' } },
  { name: 'key ending with _', given: { matchLabels: { x_: 'y' } }, want: { path: 'matchLabels.x_', message: 'starting and ending with a letter or digit' } },
  { name: 'key with a space', given: { matchLabels: { 'x y': 'z' } }, want: { path: 'matchLabels["x y"]', message: 'letters, digits' } },
  { name: 'empty value', given: { matchLabels: { x: '' } }, want: 'ok' },
  { name: 'value of 63 characters', given: { matchExpressions: [In('x', long(63))] }, want: 'ok' },
  { name: 'value of 64 characters', given: { matchExpressions: [In('x', long(64))] }, want: { path: 'matchExpressions[0].values[0]', message: '' } },
  { name: 'value with a space', given: { matchLabels: { x: 'a b' } }, want: { path: 'matchLabels.x', message: '' } },
  { name: 'value starting with -', given: { matchExpressions: [In('x', '-a')] }, want: { path: 'matchExpressions[0].values[0]', message: '' } },
];

function selectorErrors(selector: Record<string, unknown>) {
  const result = loadFleetFiles(files({ 'p.yaml': retention('p', { selector }) }), 'r');
  return result.ok ? [] : result.errors;
}

describe('label selectors are valid as in Kubernetes', () => {
  test.each(validity)('$name', ({ given, want }) => {
    const errors = selectorErrors(given);
    if (want === 'ok') return expect(errors).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path.startsWith(`spec.selector.${want.path}`), `${errors[0]?.path} at spec.selector.${want.path}`).toBe(true);
    expect(errors[0]?.message).toContain(want.message);
  });

  test.each([
    { name: 'prefix of 253 characters', given: `${long(253)}/x`, want: [] },
    { name: 'prefix of 254 characters', given: `${long(254)}/x`, want: ['prefix is 254 characters long; at most 253'] },
    { name: 'prefix not a DNS subdomain', given: 'Example.com/x', want: ['DNS subdomain'] },
  ])('appliance labels: $name', ({ given, want }) => {
    const result = loadFleetFiles(files({ 'a.yaml': appliance('a', { [given]: 'v' }) }), 'r');
    const messages = result.ok ? [] : result.errors.map((e) => e.message);
    expect(messages.length).toBe(want.length);
    want.forEach((part, i) => expect(messages[i]).toContain(part));
  });
});

// Mirrors the API server, which prunes `null` from fields whose schema does not allow it before
// validating (so `values: null` is no values), and LabelSelectorAsSelector's nil MatchLabels.
describe('null in a selector means absent', () => {
  const policy = (selector: string) => `apiVersion: muster.dev/v1alpha1\nkind: RetentionPolicy\nmetadata: {name: p}\nspec:\n  incidents: {retainDays: 30}\n  selector:\n${selector}`;
  const rows: { name: string; given: string; want: Record<string, string> }[] = [
    { name: 'Exists with `values:` left empty', given: '    matchExpressions:\n      - key: ring\n        operator: Exists\n        values:\n', want: { ring: 'x' } },
    { name: 'DoesNotExist with values: null', given: '    matchExpressions:\n      - {key: ring, operator: DoesNotExist, values: null}\n', want: {} },
    { name: 'matchLabels: null', given: '    matchLabels: null\n    matchExpressions: [{key: ring, operator: Exists}]\n', want: { ring: 'x' } },
    { name: 'matchExpressions: null', given: '    matchLabels: {ring: x}\n    matchExpressions: null\n', want: { ring: 'x' } },
    { name: 'selector: null selects all', given: '    null\n', want: {} },
  ];
  test.each(rows)('$name', ({ given, want }) => {
    const result = loadFleetFiles(files({ 'p.yaml': docs(policy(given), appliance('a', want)) }), 'r');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const [selected] = result.state.retentionPolicies;
    expect(matchesSelector(selected?.selector, want)).toBe(true);
  });

  test('In with values: null still needs values', () => {
    const result = loadFleetFiles(files({ 'p.yaml': policy('    matchExpressions: [{key: ring, operator: In, values: null}]\n') }), 'r');
    expect(result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`)).toEqual(['spec.selector.matchExpressions[0].values: operator In needs at least one value']);
  });

  test('an Appliance with labels: null has no labels', () => {
    const result = loadFleetFiles(files({ 'a.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: Appliance\nmetadata: {name: a, labels: null}\n' }), 'r');
    expect(result.ok && result.state.appliances[0]?.labels).toEqual({});
  });
});

// Mirrors TestToString (selector_test.go) and the expected strings of TestLabelSelectorAsSelector
// (helpers_test.go): requirements sorted by key, values sorted.
describe('selectors print as kubectl prints them', () => {
  test.each([
    { name: 'matchLabels and an In, sorted by key, values sorted', given: { matchLabels: { foo: 'bar' }, matchExpressions: [In('baz', 'qux', 'norf')] }, want: 'baz in (norf,qux),foo=bar' },
    { name: 'several matchLabels', given: { matchLabels: { b: '1', a: '2' } }, want: 'a=2,b=1' },
    { name: 'notin with sorted values', given: { matchExpressions: [NotIn('x', 'c', 'a', 'b')] }, want: 'x notin (a,b,c)' },
    { name: 'exists and does not exist', given: { matchExpressions: [Exists('z'), DoesNotExist('a')] }, want: '!a,z' },
    { name: 'a prefixed key sorts by its whole key', given: { matchLabels: { 'example.com/ring': 'x', site: 'y' } }, want: 'example.com/ring=x,site=y' },
    { name: 'ties keep matchLabels first', given: { matchLabels: { x: 'y' }, matchExpressions: [Exists('x')] }, want: 'x=y,x' },
    { name: 'an empty selector', given: {}, want: '<all>' },
  ])('$name', ({ given, want }) => expect(formatSelector(given as LabelSelectorSpec)).toBe(want));
});

// Not Kubernetes: LabelSelectorAsSelector(nil) is labels.Nothing(); a fleet repository's absent
// selector means "every declared appliance", as the docs promise.
describe('an absent selector selects every appliance (unlike Kubernetes)', () => {
  test.each([null, undefined])('%s', (selector) => {
    expect(matchesSelector(selector, {})).toBe(true);
    expect(compileSelector(selector ?? null)({ any: 'label' })).toBe(true);
    expect(formatSelector(selector)).toBe('<all>');
  });
});

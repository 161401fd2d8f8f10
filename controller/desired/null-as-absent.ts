/**
 * Kubernetes reads `null` in a field whose schema does not allow it as the field being absent (the
 * API server prunes it before validating), and label selectors are where a fleet repository meets
 * that most: `values:` left empty under `Exists`, `matchLabels: null` written by a template. Muster
 * reads those the same way, so a document means what `kubectl` would take it to mean.
 */
function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function dropNull(object: Record<string, unknown>, key: string): void {
  if (object[key] === null) delete object[key];
}

/**
 * Removes, in place, the `null` fields that mean "absent": `metadata.labels`, `spec.selector` and,
 * inside a selector, `matchLabels`, `matchExpressions` and each expression's `values`.
 */
export function dropNullsThatMeanAbsent(document: Record<string, unknown>): void {
  if (isMapping(document.metadata)) dropNull(document.metadata, 'labels');
  if (!isMapping(document.spec)) return;
  dropNull(document.spec, 'selector');
  const selector = document.spec.selector;
  if (!isMapping(selector)) return;
  dropNull(selector, 'matchLabels');
  dropNull(selector, 'matchExpressions');
  if (Array.isArray(selector.matchExpressions)) for (const req of selector.matchExpressions) if (isMapping(req)) dropNull(req, 'values');
}

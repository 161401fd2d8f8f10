import semver from 'semver';

/** `1.0.49` for `v1.0.49`, `1.0.49` or `=1.0.49`; null when the text is not semver. */
export function normalizeVersion(version: string | null | undefined): string | null {
  if (version == null) return null;
  return semver.valid(version.trim());
}

/** semver order of two versions that may not be semver: unparseable ones sort first, then by text. */
export function compareVersions(a: string, b: string): number {
  const va = normalizeVersion(a);
  const vb = normalizeVersion(b);
  if (va && vb) return semver.compare(va, vb);
  if (va) return 1;
  if (vb) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

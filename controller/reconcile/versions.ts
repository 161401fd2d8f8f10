// The rule both sides share lives in protocol/: the controller re-exports it here.
export { compareVersions, normalizeVersion, sameVersion } from '../../protocol/versions.js';

// Shared with the agent: see protocol/canonical.ts.
export { canonicalJson, retentionPolicyHash, sha256Hex } from '../../protocol/canonical.js';

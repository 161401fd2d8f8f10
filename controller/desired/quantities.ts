// Shared with the agent: see protocol/quantities.ts.
export { formatDuration, parseDuration, parseSize } from '../../protocol/quantities.js';

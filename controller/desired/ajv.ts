// Shared with the agent: see protocol/ajv.ts.
export { createAjv } from '../../protocol/ajv.js';

// Shared with the agent: see protocol/checkin-response.ts.
export { CheckinResponse, ErrorResponse } from '../../protocol/checkin-response.js';

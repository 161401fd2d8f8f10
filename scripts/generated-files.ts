import { renderCrds } from '../controller/desired/crd.js';
import { CheckinResponse, ErrorResponse } from '../controller/observed/checkin-response-schema.js';
import { CheckinRequest, StateDocument } from '../controller/observed/state-schema.js';

function jsonSchema(id: string, title: string, schema: object): string {
  const body = { $schema: 'http://json-schema.org/draft-07/schema#', $id: `https://muster.dev/schemas/${id}`, title, ...JSON.parse(JSON.stringify(schema)) };
  return JSON.stringify(body, null, 2) + '\n';
}

/** Every generated file (path relative to the project root → content), so a test can detect drift. */
export function generatedFiles(): Map<string, string> {
  const files = renderCrds();
  files.set('schemas/state.schema.json', jsonSchema('state.schema.json', 'Muster observed State document', StateDocument));
  files.set('schemas/checkin-request.schema.json', jsonSchema('checkin-request.schema.json', 'POST /v1/checkin body', CheckinRequest));
  files.set('schemas/checkin-response.schema.json', jsonSchema('checkin-response.schema.json', 'POST /v1/checkin response', CheckinResponse));
  files.set('schemas/error-response.schema.json', jsonSchema('error-response.schema.json', 'API error response', ErrorResponse));
  return files;
}

import { Ajv, type Options } from 'ajv';

/**
 * One ajv configured for Muster's schemas: strict, with Kubernetes' `x-kubernetes-*` vendor keywords
 * declared (they annotate the CRDs; validation is done by the standard keywords beside them).
 */
export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ strict: true, allErrors: true, useDefaults: true, ...options });
  for (const keyword of ['x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-list-type']) {
    ajv.addKeyword({ keyword, schemaType: ['boolean', 'string'] });
  }
  return ajv;
}

import { bearerToken } from './bearer.js';
import type { TokenCache } from './token-cache.js';

/**
 * The appliance an `Authorization: Bearer <token>` header speaks for, or the sentence a 401 answers
 * with (no header, a malformed one, an unknown or rotated token).
 */
export async function authenticate(tokens: TokenCache, header: string | undefined): Promise<Authentication> {
  return authenticateKnown(tokens, header) ?? answer(await tokens.applianceFor(bearerToken(header) as string));
}

export type Authentication = { appliance: string } | { refusal: string };

/**
 * authenticate without waiting, when the header alone or the tokens in memory decide; undefined when
 * the token is unknown here and the store must be read (a token issued a moment ago elsewhere).
 */
export function authenticateKnown(tokens: TokenCache, header: string | undefined): Authentication | undefined {
  const token = bearerToken(header);
  if (!token) return { refusal: 'send the appliance token as `Authorization: Bearer <token>`' };
  const appliance = tokens.knownAppliance(token);
  return appliance === undefined ? undefined : answer(appliance);
}

function answer(appliance: string | null): Authentication {
  return appliance ? { appliance } : { refusal: 'unknown or rotated token: issue one with `muster appliance token ID`' };
}

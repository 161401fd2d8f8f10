import { bearerToken } from './bearer.js';
import type { TokenCache } from './token-cache.js';

export type Authentication = { appliance: string } | { refusal: string };

/**
 * The appliance an `Authorization: Bearer <token>` header speaks for, or the sentence a 401 answers
 * with (no header, a malformed one, an unknown or rotated token).
 */
export async function authenticate(tokens: TokenCache, header: string | undefined): Promise<Authentication> {
  const known = authenticateKnown(tokens, header);
  return 'unknown' in known ? authenticateUnknown(tokens, known.unknown) : known;
}

/**
 * authenticate without waiting, when the header alone or the tokens in memory decide; `unknown` (the
 * token) when only a read of the store can tell (a token issued a moment ago elsewhere): then ask
 * authenticateUnknown.
 */
export function authenticateKnown(tokens: TokenCache, header: string | undefined): Authentication | { unknown: string } {
  const token = bearerToken(header);
  if (!token) return { refusal: 'send the appliance token as `Authorization: Bearer <token>`' };
  const appliance = tokens.knownAppliance(token);
  return appliance === undefined ? { unknown: token } : answer(appliance);
}

/** authenticate for a well-formed token not in memory: the token cache reads the store first. */
export async function authenticateUnknown(tokens: TokenCache, token: string): Promise<Authentication> {
  return answer(await tokens.applianceFor(token));
}

function answer(appliance: string | null): Authentication {
  return appliance ? { appliance } : { refusal: 'unknown or rotated token: issue one with `muster appliance token ID`' };
}

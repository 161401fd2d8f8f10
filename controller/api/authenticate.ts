import { bearerToken } from './bearer.js';
import type { TokenCache } from './token-cache.js';

/**
 * The appliance an `Authorization: Bearer <token>` header speaks for, or the sentence a 401 answers
 * with (no header, a malformed one, an unknown or rotated token).
 */
export async function authenticate(tokens: TokenCache, header: string | undefined): Promise<{ appliance: string } | { refusal: string }> {
  const token = bearerToken(header);
  if (!token) return { refusal: 'send the appliance token as `Authorization: Bearer <token>`' };
  const appliance = await tokens.applianceFor(token);
  if (!appliance) return { refusal: 'unknown or rotated token: issue one with `muster appliance token ID`' };
  return { appliance };
}

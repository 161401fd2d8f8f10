/** The token of an `Authorization: Bearer <token>` header, or null when the header is absent or malformed. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{8,512})$/.exec(header ?? '');
  return match ? (match[1] as string) : null;
}

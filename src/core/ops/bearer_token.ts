/** True when `authorization` is `Bearer <token>`, compared in constant time. */
export function bearerMatches(authorization: string | null | undefined, token: string): boolean {
  const given = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? "";
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(token);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i] ?? 0) ^ b[i]!;
  return difference === 0;
}

import type { SigningKey } from '@signet/core';

// `jwtSigner` takes a SigningKey only once the core supports it; until then the tests mint compact JWS here, the
// way RFC 7515 §5.1 says: sign base64url(header) "." base64url(payload), append base64url(signature).

export function signingInput(algorithm: string, payload: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: algorithm, typ: 'JWT' })}.${encode(payload)}`;
}

export async function mintJwt(key: SigningKey, payload: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
  const input = signingInput(key.algorithm, payload);
  const signature = await key.sign(new TextEncoder().encode(input), signal === undefined ? undefined : { signal });
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

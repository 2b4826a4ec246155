import { SignetError } from './errors.js';
import { base64urlOf, fromBase64 } from './platform/bytes.js';

/** A compact JWT split into its parts, none of them verified. */
export interface DecodedJwt {
  /** The protected header, e.g. `{ alg: 'HS256', typ: 'JWT' }`. */
  header: Record<string, unknown>;
  /** The claims. */
  payload: Record<string, unknown>;
  /** The signature segment as it appears in the token (base64url); `''` for `header.payload` input. */
  signature: string;
}

const SEGMENT = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a compact JWT's header and payload WITHOUT verifying its signature: for logs, debugging and routing,
 * never for trust decisions. Accepts `header.payload.signature` and the unsigned `header.payload`. Anything else
 * (a wrong number of segments, non-canonical base64url, invalid UTF-8, JSON that is not an object) is a
 * `SignetError` with code `ERR_JWT_MALFORMED`, never a crash.
 *
 * @example
 * ```ts
 * const { header, payload } = decodeJwt(token);
 * console.log(header.alg, payload.sub, new Date(Number(payload.exp) * 1000));
 * ```
 */
export function decodeJwt(token: string): DecodedJwt {
  if (typeof token !== 'string') throw malformed('a JWT must be a string');
  const segments = token.split('.');
  if (segments.length !== 2 && segments.length !== 3) {
    throw malformed(`a compact JWT has 3 dot-separated segments, this has ${segments.length}`);
  }
  const [header, payload, signature = ''] = segments as [string, string, string?];
  if (!SEGMENT.test(signature)) throw malformed('the signature segment is not base64url');
  return { header: decodeSegment(header, 'header'), payload: decodeSegment(payload, 'payload'), signature };
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (segment.length === 0 || !SEGMENT.test(segment) || segment.length % 4 === 1) throw malformed(`the ${what} segment is not base64url`);
  const bytes = fromBase64(segment);
  // The decoder skips stray bits; a segment that does not re-encode to itself is not canonical base64url.
  if (base64urlOf(bytes) !== segment) throw malformed(`the ${what} segment is not canonical base64url`);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    throw malformed(`the ${what} is not UTF-8 JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function malformed(reason: string): SignetError {
  return new SignetError('ERR_JWT_MALFORMED', `Not a valid JWT: ${reason}.`);
}

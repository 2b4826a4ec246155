import { SignetError, type SignetErrorCode } from '@signet/core';

/** @internal A request refused: the status, the code and message the client is told, and whether its body was read. */
export interface Refusal {
  kind: 'refused';
  status: number;
  code: SignetErrorCode;
  message: string;
  bodyRead: boolean;
}

// The store or the key lookup is down: the request may succeed later, and is refused now (never accepted).
const UNAVAILABLE = new Set<SignetErrorCode>(['ERR_REPLAY_STORE_FULL', 'ERR_REPLAY_STORE_UNAVAILABLE', 'ERR_KEY_LOOKUP_FAILED']);
// The server's own configuration is wrong (a body parser before the verifier, a bad option): not the client's fault.
const MISCONFIGURED = new Set<SignetErrorCode>(['ERR_BODY_CONSUMED', 'ERR_INVALID_OPTION']);

/**
 * The HTTP status a verification failure is answered with, by its code: 503 while a dependency is down, 413 for a
 * body over the limit, 500 for a server misconfiguration, 401 for everything the client did wrong. The one place
 * that mapping lives; a header over the limit (431) shares ERR_REQUEST_TOO_LARGE with the body, so it is decided
 * where the header is measured.
 * @internal
 */
export function statusOf(code: SignetErrorCode): number {
  if (UNAVAILABLE.has(code)) return 503;
  if (code === 'ERR_REQUEST_TOO_LARGE') return 413;
  if (MISCONFIGURED.has(code)) return 500;
  return 401;
}

/** @internal A verifier's rejection as a refusal; anything but a SignetError is a bug and is thrown on. */
export function refusalOf(error: unknown, bodyRead: boolean): Refusal {
  if (!(error instanceof SignetError)) throw error;
  return { kind: 'refused', status: statusOf(error.code), code: error.code, message: error.message, bodyRead };
}

/** @internal A body (413) or header (431) over its limit, refused before the body is read. */
export function tooLarge(status: 413 | 431, message: string): Refusal {
  return { kind: 'refused', status, code: 'ERR_REQUEST_TOO_LARGE', message, bodyRead: false };
}

/** @internal The status, headers and JSON body every transport sends for a refusal. */
export function refusalReply(refusal: Refusal): { status: number; headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (refusal.status === 401) headers['www-authenticate'] = `Bearer error="invalid_token"`;
  // A body left unread cannot be drained cheaply (it may be stalled on purpose): close the connection after answering.
  if (!refusal.bodyRead) headers['connection'] = 'close';
  return { status: refusal.status, headers, body: JSON.stringify({ error: refusal.code, message: refusal.message }) };
}

import { SignetError } from '@signet/core';
import type { Limits } from './limits.js';
import { type Refusal, refusalOf, tooLarge } from './refusal.js';
import type { PendingVerification, RequestHead, VerifiedClaims, Verifier } from './types.js';

/** @internal What a transport knows of a request before reading its body. */
export interface Arrival {
  head: RequestHead;
  /** The size in bytes of a header's value (all of its values together), 0 when absent. */
  headerSize(name: string): number;
  /** The Content-Length the client declared, 0 when none. */
  declaredLength: number;
  /** Whether a body follows (a Content-Length over 0, or chunked). */
  hasBody: boolean;
  /** Why the body is no longer readable (something read it before the verifier), or undefined. */
  consumed?: string | undefined;
}

/** @internal What becomes of a request. */
export type Outcome<B extends Uint8Array = Uint8Array> =
  | { kind: 'accepted'; claims: VerifiedClaims; body: B }
  | Refusal
  /** The verifier is mounted after a body parser: a configuration error, for the app's error handler. */
  | { kind: 'misplaced'; error: SignetError }
  /** The client went away before its body arrived. */
  | { kind: 'aborted' };

/** @internal A request that passed everything its head proves, waiting for its body. */
export interface Pending {
  kind: 'pending';
  pending: PendingVerification;
}

/**
 * The first half of every transport's verification, in the order that costs an attacker the most and the server
 * the least: header sizes (431), the declared body size (413), then everything the request line and headers prove
 * (presence, structure, algorithm, signature, times, target). Nothing here reads the body.
 * @internal
 */
export async function authenticateHead(verifier: Verifier, limits: Limits, arrival: Arrival): Promise<Pending | Refusal | { kind: 'misplaced'; error: SignetError }> {
  for (const name of verifier.headers) {
    if (arrival.headerSize(name) > limits.maxHeaderBytes) return tooLarge(431, `The ${name} header is larger than ${limits.maxHeaderBytes} bytes.`);
  }
  if (arrival.consumed !== undefined) return { kind: 'misplaced', error: new SignetError('ERR_BODY_CONSUMED', arrival.consumed) };
  if (arrival.declaredLength > limits.maxBodyBytes) return bodyTooLarge(limits);
  try {
    return { kind: 'pending', pending: await verifier.authenticate(arrival.head) };
  } catch (error) {
    return refusalOf(error, !arrival.hasBody);
  }
}

/** @internal The second half: binds the body (read bounded by the transport) to the token, the replay store last. */
export async function completeBody<B extends Uint8Array>(pending: PendingVerification, body: B | 'too-large' | 'aborted', limits: Limits): Promise<Outcome<B>> {
  if (body === 'aborted') return { kind: 'aborted' };
  if (body === 'too-large') return bodyTooLarge(limits);
  try {
    return { kind: 'accepted', claims: await pending.complete(body), body };
  } catch (error) {
    return refusalOf(error, true);
  }
}

/** @internal Both halves around a transport's bounded body reader, which is called only for an authenticated request. */
export async function authenticateThenRead<B extends Uint8Array>(verifier: Verifier, limits: Limits, arrival: Arrival, read: () => Promise<B | 'too-large' | 'aborted'>, empty: B): Promise<Outcome<B>> {
  const first = await authenticateHead(verifier, limits, arrival);
  if (first.kind !== 'pending') return first;
  return completeBody(first.pending, arrival.hasBody ? await read() : empty, limits);
}

/** @internal The size of a header's value in bytes (the characters of a header are bytes: latin1). */
export function sizeOfHeader(value: string | readonly string[] | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? value.length : value.reduce((sum, item) => sum + item.length, 0);
}

function bodyTooLarge(limits: Limits): Refusal {
  return tooLarge(413, `The body is larger than ${limits.maxBodyBytes} bytes.`);
}

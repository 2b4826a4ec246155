import type { IncomingHttpHeaders } from 'node:http';
import type { SignetErrorCode } from '@signet/core';
import type { Explanation } from './explain.js';

/** The request line and headers of a request as the server received it: what can be checked before the body. */
export interface RequestHead {
  /** The HTTP method, e.g. `'POST'`. */
  method: string;
  /** The request-target as received: path + query, untouched (`req.url` in node:http, `req.originalUrl` in Express). */
  url: string;
  /** The request headers; names are matched case-insensitively. */
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
}

/** A whole request as the server received it. */
export interface VerifiableRequest extends RequestHead {
  /**
   * The raw body bytes, before any body parser; an empty `Uint8Array` when there is none. Required: a verifier
   * that was not given the body cannot tell a bodiless GET from a POST, so leaving it out is `ERR_INVALID_REQUEST`.
   */
  body: Uint8Array;
}

/** The claims of a verified token: every scheme's token names its subject and when it was issued. */
export interface VerifiedClaims {
  /** The API key, client key or merchant code the token was issued for. */
  readonly sub: string;
  /** When the token was issued, in seconds since the epoch. */
  readonly iat: number;
  /** When it expires, in seconds since the epoch (2Checkout tokens may leave it out). */
  readonly exp?: number;
  readonly [claim: string]: unknown;
}

/** The claims of a verified per-request token (`requestVerifier`). */
export interface RequestClaims extends VerifiedClaims {
  readonly exp: number;
  /** The path + query the token was issued for. */
  readonly uri: string;
  /** The hex SHA-256 of the body it was issued for. */
  readonly bodyHash: string;
  /** The request method, when the signer bound it (`bindMethod: true`). */
  readonly method?: string;
  /** The token's unique identifier, when it has one (required with a replay store). */
  readonly nonce?: string;
  readonly jti?: string;
}

/** What a verification that passed every check the request head allows still needs: the body. */
export interface PendingVerification<C extends VerifiedClaims = VerifiedClaims> {
  /** The claims of the token, already verified (signature, times, target); not yet bound to a body. */
  readonly claims: C;
  /** Checks the body (and, last, the replay store) and resolves to the claims, or rejects with a `SignetError`. */
  complete(body: Uint8Array): Promise<C>;
}

/** Checks one scheme's authentication of a request. */
export interface Verifier<C extends VerifiedClaims = VerifiedClaims> {
  /** Resolves to the verified claims, or rejects with a `SignetError` whose `code` names the reason. */
  verify(request: VerifiableRequest): Promise<C>;
  /**
   * Checks all that the request line and headers can prove (the token's presence, structure, algorithm,
   * signature, times and target) before the body is read, so that an unauthenticated request is refused without
   * waiting for its body. Finish with `complete(body)`. `verify(request)` is both steps in one.
   */
  authenticate(head: RequestHead): Promise<PendingVerification<C>>;
  /** The (lowercase) names of the headers this scheme reads; middleware bounds their size before verifying. */
  readonly headers: readonly string[];
}

/** What a verifier tells its `onReject` hook about a refused request: never sent to the client. */
export interface Rejection {
  /** The precise reason, e.g. `ERR_UNKNOWN_KEY` where the client is told `ERR_SIGNATURE_INVALID`. */
  code: SignetErrorCode;
  /** The precise message. */
  message: string;
  /** The code the client is answered with. */
  publicCode: SignetErrorCode;
  /** Which check failed and the values it compared, secret-free. */
  explanation: Explanation;
}

/**
 * The request as `onReject` sees it: method, target, and headers with the scheme's credential headers replaced by
 * `'[REDACTED]'`, so that logging it cannot leak a token.
 */
export interface RejectedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body's length in bytes, once it was read. */
  bodyBytes?: number;
}

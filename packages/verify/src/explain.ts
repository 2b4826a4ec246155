import { SignetError, type SignetErrorCode } from '@signet/core';
import { sha256Hex as sha256 } from '@signet/internal';
import type { RejectedRequest, Rejection, RequestHead } from './types.js';

/** Which check refused a request. */
export type FailedCheck = 'request' | 'token' | 'algorithm' | 'key' | 'signature' | 'claims' | 'time' | 'target' | 'method' | 'api-key' | 'body' | 'replay';

/**
 * Why a request was refused, for the server's logs and `signet verify --explain`: the check that failed and the
 * values it compared. It holds no token, secret or signature, and is never sent to the client.
 */
export interface Explanation {
  check: FailedCheck;
  /** One sentence: what differs, and its most likely cause. */
  hint: string;
  /** The token's `alg`, when it could be read. */
  algorithm?: string;
  /** The token's `sub`, when it could be read. */
  subject?: string;
  /** The target the token was issued for next to the one received. */
  target?: { token: unknown; received: string };
  /** The method the token was bound to next to the one received. */
  method?: { token: unknown; received: string };
  /** The body received next to the hash the token claims. */
  body?: { receivedBytes: number; receivedSha256: string; tokenBodyHash: unknown; emptyBodyHashes: string };
  /** The token's times next to the verifier's clock; `skewSeconds` is `iat - now`. */
  time?: { now: number; iat: unknown; exp: unknown; nbf: unknown; skewSeconds: number | undefined; toleranceSeconds: number };
}

/** @internal What a verification learned before it failed; filled in as the checks go. */
export interface Facts {
  head: RequestHead;
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  body?: Uint8Array;
  now?: number;
  toleranceSeconds: number;
  /** What a bodiless request's `bodyHash` covers, as the verifier was configured. */
  emptyBody?: string;
}

/** @internal Keeps what `verifyJws` decoded, for the explanation of a later failure. */
export function recordDecoded(facts: Facts): (header: Record<string, unknown>, payload: Record<string, unknown>) => void {
  return (header, payload) => {
    facts.header = header;
    facts.payload = payload;
  };
}

const CHECKS: Partial<Record<SignetErrorCode, FailedCheck>> = {
  ERR_INVALID_REQUEST: 'request',
  ERR_TOKEN_MISSING: 'token',
  ERR_JWT_MALFORMED: 'token',
  ERR_TOKEN_TYPE: 'token',
  ERR_TOKEN_CRIT: 'token',
  ERR_ALGORITHM_NOT_ALLOWED: 'algorithm',
  ERR_UNKNOWN_KEY: 'key',
  ERR_KEY_INVALID: 'key',
  ERR_TOKEN_BINDING_MISMATCH: 'key',
  ERR_KEY_LOOKUP_FAILED: 'key',
  ERR_SIGNATURE_INVALID: 'signature',
  ERR_CLAIM_INVALID: 'claims',
  ERR_CLIENT_KEY_MISMATCH: 'claims',
  ERR_SIGNATURE_COVERAGE: 'claims',
  ERR_TOKEN_EXPIRED: 'time',
  ERR_TOKEN_FUTURE: 'time',
  ERR_TOKEN_LIFETIME: 'time',
  ERR_URI_MISMATCH: 'target',
  ERR_METHOD_MISMATCH: 'method',
  ERR_API_KEY_MISMATCH: 'api-key',
  ERR_BODY_HASH_MISMATCH: 'body',
  ERR_NONCE_REQUIRED: 'replay',
  ERR_TOKEN_REPLAYED: 'replay',
  ERR_DPOP_NONCE: 'replay',
  ERR_REPLAY_STORE_FULL: 'replay',
  ERR_REPLAY_STORE_UNAVAILABLE: 'replay',
};

/** @internal Builds the explanation of `error` from what the verification had learned. */
export function explain(code: SignetErrorCode, message: string, facts: Facts): Explanation {
  const { payload, header, head } = facts;
  const check = CHECKS[code] ?? 'request';
  const explanation: Explanation = { check, hint: message };
  if (typeof header?.['alg'] === 'string') explanation.algorithm = header['alg'];
  if (typeof payload?.['sub'] === 'string') explanation.subject = payload['sub'];
  if (check === 'target') {
    explanation.target = { token: payload?.['uri'], received: head.url };
    explanation.hint = targetHint(payload?.['uri'], head.url);
  } else if (check === 'method') {
    explanation.method = { token: payload?.['method'], received: head.method };
  } else if (check === 'body' && facts.body !== undefined) {
    const received = sha256(facts.body);
    const emptyBodyHashes = `'{}' = ${sha256('{}')}, '' = ${sha256('')}`;
    explanation.body = { receivedBytes: facts.body.byteLength, receivedSha256: received, tokenBodyHash: payload?.['bodyHash'], emptyBodyHashes };
    explanation.hint = bodyHint(facts, payload?.['bodyHash']);
  } else if (check === 'time' && payload !== undefined && facts.now !== undefined) {
    const { iat, exp, nbf } = payload;
    const skewSeconds = typeof iat === 'number' ? iat - facts.now : undefined;
    explanation.time = { now: facts.now, iat, exp, nbf, skewSeconds, toleranceSeconds: facts.toleranceSeconds };
    if (code === 'ERR_TOKEN_FUTURE' && skewSeconds !== undefined) {
      explanation.hint = `The token is issued ${skewSeconds} s ahead of this server's clock (tolerance ${facts.toleranceSeconds} s): one of the two clocks is wrong; check NTP on both.`;
    } else if (code === 'ERR_TOKEN_EXPIRED' && typeof exp === 'number') {
      explanation.hint = `The token expired ${facts.now - exp} s ago (tolerance ${facts.toleranceSeconds} s): a slow or queued request, a replay of an old token, or a signer clock behind.`;
    }
  }
  return explanation;
}

function targetHint(token: unknown, received: string): string {
  if (typeof token !== 'string') return 'The token has no "uri" claim.';
  const [tokenPath = '', tokenQuery] = token.split('?', 2);
  const [receivedPath = '', receivedQuery] = received.split('?', 2);
  if (tokenPath === receivedPath) {
    return `The path matches but the query differs: signed "${tokenQuery ?? ''}", received "${receivedQuery ?? ''}". Was a parameter added, re-ordered or re-encoded after signing?`;
  }
  if (receivedPath.endsWith(tokenPath) || tokenPath.endsWith(receivedPath)) {
    return 'The path differs by a prefix: a proxy or mount point adds or strips one. Verify with the path as the client sent it (Express: req.originalUrl).';
  }
  if (decodeSafely(tokenPath) === decodeSafely(receivedPath)) {
    return 'The path differs only in its percent-encoding: something re-encoded it between the signer and this server.';
  }
  return 'The token was issued for another path.';
}

function bodyHint(facts: Facts, claimed: unknown): string {
  const body = facts.body as Uint8Array;
  if (body.byteLength === 0) {
    if (claimed === sha256(''))
      return "The request has no body and the signer hashed empty input (\"\"), while this verifier expects the hash of its emptyBody setting: set emptyBody: '' here, or sign with emptyBody '{}'.";
    if (claimed === sha256('{}')) return "The request has no body and the signer hashed '{}', while this verifier expects another emptyBody: set emptyBody: '{}'.";
    return 'The request arrived without a body, but the token was issued for one: did a proxy drop it?';
  }
  if (claimed === sha256('{}') || claimed === sha256('')) return `The token was issued for a request without a body, but ${body.byteLength} bytes arrived.`;
  return `The ${body.byteLength} bytes received are not the bytes signed: was the body re-serialized after signing, or read by a body parser before this check?`;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Codes the client is never told apart: an unknown API key answers as a bad signature (no key enumeration). */
function publicError(error: SignetError): SignetError {
  if (error.code === 'ERR_UNKNOWN_KEY') return new SignetError('ERR_SIGNATURE_INVALID', "The token's signature does not verify.");
  return error;
}

/** @internal Scheme headers with their values hidden, for the `onReject` hook. */
export function rejectedRequest(head: RequestHead, credentialHeaders: readonly string[], body: Uint8Array | undefined): RejectedRequest {
  const headers: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(head.headers)) {
    headers[name] = credentialHeaders.includes(name.toLowerCase()) && value !== undefined ? '[REDACTED]' : value;
  }
  return { method: head.method, url: head.url, headers, ...(body === undefined ? {} : { bodyBytes: body.byteLength }) };
}

/** A hook told of every refusal with its precise reason. */
export type RejectHook = (rejection: Rejection, request: RejectedRequest) => void;

/**
 * Runs one verification step; on a refusal, tells `onReject` the precise reason with its explanation and rejects
 * with the error the client may see. A hook that throws changes nothing.
 * @internal
 */
export async function explained<T>(facts: Facts, credentialHeaders: readonly string[], onReject: RejectHook | undefined, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof SignetError)) throw error;
    const visible = publicError(error);
    if (onReject !== undefined) {
      try {
        onReject({ code: error.code, message: error.message, publicCode: visible.code, explanation: explain(error.code, error.message, facts) }, rejectedRequest(facts.head, credentialHeaders, facts.body));
      } catch {
        // A logging hook must not turn a refusal into anything else.
      }
    }
    throw visible;
  }
}

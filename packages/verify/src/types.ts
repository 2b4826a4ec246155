import type { IncomingHttpHeaders } from 'node:http';

/** A request as the server received it. */
export interface VerifiableRequest {
  /** The HTTP method, e.g. `'POST'`. */
  method: string;
  /** The request-target as received: path + query, untouched (`req.url` in node:http, `req.originalUrl` in Express). */
  url: string;
  /** The request headers; names are matched case-insensitively. */
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  /** The raw body bytes, before any body parser; `undefined` or empty when there is none. */
  body?: Uint8Array | undefined;
}

/** The claims of a verified token. */
export type VerifiedClaims = Record<string, unknown>;

/** Checks one scheme's authentication of a request. */
export interface Verifier {
  /** Resolves to the verified claims, or rejects with a `SignetError` whose `code` names the reason. */
  verify(request: VerifiableRequest): Promise<VerifiedClaims>;
  /** The (lowercase) names of the headers this scheme reads; middleware bounds their size before verifying. */
  readonly headers: readonly string[];
}

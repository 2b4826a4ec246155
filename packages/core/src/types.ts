/**
 * A request as it goes on the wire, independent of the HTTP client.
 */
export interface SignableRequest {
  /** The HTTP method, e.g. `'POST'`. */
  method: string;
  /** Path + query exactly as sent in the request line, percent-encoded, e.g. `'/v1/x?a=1'`. No origin, no fragment. */
  url: string;
  /**
   * The origin the request goes to, e.g. `'https://api.coinbase.com'` (no path, no trailing slash), as the
   * transport resolved it: for schemes that bind the host (Coinbase's `uri` claim, RFC 9421's `@authority`,
   * `@scheme` and `@target-uri`). `@signet/axios` and
   * `@signet/fetch` always set it; a signer that needs it refuses a request without it.
   * @default undefined
   */
  origin?: string | undefined;
  /** The exact body bytes sent; `undefined` or empty when the request has no body. */
  body?: Uint8Array | undefined;
  /**
   * The time to sign at, in milliseconds since the epoch, instead of the signer's own clock (and its
   * `clockOffsetSeconds`): what a transport learned of the server's clock (`clockSkew: 'auto'` in `@signet/axios` and
   * `@signet/fetch`), as smithy's `signingDate`. @default undefined (the signer's clock)
   */
  signingTime?: number | undefined;
  /**
   * The request's abort signal: cancels a signature by a key held outside the process (`SigningKey`) that is
   * waiting or in flight. Transport adapters pass the request's own signal. @default undefined
   */
  signal?: AbortSignal | undefined;
  /**
   * The request's headers as the transport will send them, as far as it knows them when it signs (names in any
   * case), for signers that cover header fields (RFC 9421). Headers the transport adds later are not among them.
   * @default undefined
   */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** A response to a signed request, as a transport shows it to {@link Signer.onResponse}. */
export interface SignerResponse {
  /** The origin the request went to (the same as the request's `origin`). */
  origin: string;
  /** The HTTP status. */
  status: number;
  /** The response headers, names lower-cased, repeated values joined with `', '`. */
  headers: Readonly<Record<string, string>>;
  /** Reads the response body as text, when the transport can do so without consuming it; else `undefined`. */
  body?: () => Promise<string | undefined>;
}

/**
 * Something that turns a request into the headers that authenticate it. Transport adapters (`@signet/axios`) call
 * `sign` once per attempt, after the body and URL are final.
 */
export interface Signer {
  /** Returns the headers to set on this request, e.g. `{ Authorization: 'Bearer …' }`. */
  sign(request: SignableRequest): Promise<Record<string, string>>;
  /**
   * Told of every response to a request it signed (DPoP learns the server's `DPoP-Nonce` from it). Returning
   * `'retry'` asks the transport to sign the request again and resend it; transports resend at most once per call.
   * Optional for custom signers.
   */
  onResponse?(response: SignerResponse): 'retry' | undefined | Promise<'retry' | undefined>;
}

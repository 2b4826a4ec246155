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
   * transport resolved it: for schemes that bind the host (Coinbase's `uri` claim). `@signet/axios` and
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
}

/**
 * Something that turns a request into the headers that authenticate it. Transport adapters (`@signet/axios`) call
 * `sign` once per attempt, after the body and URL are final.
 */
export interface Signer {
  /** Returns the headers to set on this request, e.g. `{ Authorization: 'Bearer …' }`. */
  sign(request: SignableRequest): Promise<Record<string, string>>;
}

/**
 * A request as it goes on the wire, independent of the HTTP client.
 */
export interface SignableRequest {
  /** The HTTP method, e.g. `'POST'`. */
  method: string;
  /** Path + query exactly as sent in the request line, percent-encoded, e.g. `'/v1/x?a=1'`. No origin, no fragment. */
  url: string;
  /** The exact body bytes sent; `undefined` or empty when the request has no body. */
  body?: Uint8Array | undefined;
}

/**
 * Something that turns a request into the headers that authenticate it. Transport adapters (`@signet/axios`) call
 * `sign` once per attempt, after the body and URL are final.
 */
export interface Signer {
  /** Returns the headers to set on this request, e.g. `{ Authorization: 'Bearer …' }`. */
  sign(request: SignableRequest): Promise<Record<string, string>>;
}

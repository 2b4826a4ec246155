export { createSignedFetch } from './create-signed-fetch.js';
export type { FetchLike, SignedFetch, SignedFetchOptions, SignedFetchTarget, SignedRequestInit } from './create-signed-fetch.js';

export { createSignedFetch } from './create-signed-fetch.js';
export type { FetchLike, SignedFetchOptions, SignedRequestInit } from './create-signed-fetch.js';

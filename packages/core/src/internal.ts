/**
 * Building blocks shared by Signet's own packages (`@signet/verify`). Not public API: no semver promise.
 * @internal
 * @packageDocumentation
 */
export { ALGORITHMS, algorithmSpec, type AlgorithmSpec, type KeyFamily } from './algorithm-registry.js';
export { base64url } from './jws-minter.js';
export { keyFits, keyMisfit, type KeyMisfit } from './key-fit.js';
export { loadHmacSecret } from './keys.js';
export { checkClock, nowSeconds } from './clock.js';
export { sha256Hex } from './body-hash.js';
export { isLowS, normalizeLowS } from './ecdsa.js';
export { optionNames, ownValue, readOptions, unknownOption } from './options.js';
export { assertHeaderName, assertHeaderSafeString, assertPositiveInteger } from './validate.js';
export { assertOriginAllowed, bodyTooLarge, checkSignedHeaders, collectWebStream, pinnedOrigins, refusedRedirect } from './transport.js';
export { type QueryHashForm, queryHash, requestParams } from './schemes/query-hash.js';

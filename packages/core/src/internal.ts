/**
 * Building blocks shared by Signet's own packages (`@signet/verify`). Not public API: no semver promise.
 * @internal
 * @packageDocumentation
 */
export { ALGORITHMS, algorithmSpec, base64url, type AlgorithmSpec, type KeyFamily } from './algorithms.js';
export { loadHmacSecret } from './keys.js';
export { checkClock, nowSeconds } from './clock.js';
export { sha256Hex } from './body-hash.js';
export { isLowS, normalizeLowS } from './ecdsa.js';
export { optionNames, ownValue, readOptions, unknownOption } from './options.js';
export { assertHeaderName, assertHeaderSafeString, assertPositiveInteger } from './validate.js';
export { assertOriginAllowed, bodyTooLarge, checkSignedHeaders, collectWebStream, pinnedOrigins, refusedRedirect } from './transport.js';

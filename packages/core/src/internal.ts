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
export { assertHttpKeyFits, httpKeyMisfit, isHttpSignatureAlgorithm, verifyBase } from './schemes/http-message-signatures/algorithms.js';
export { ComponentError, checkComponentId, parseComponentId, serializeComponentId, type ComponentId, type MessageContext } from './schemes/http-message-signatures/components.js';
export { checkContentDigest, isContentDigestAlgorithm } from './schemes/http-message-signatures/content-digest.js';
export { signatureBase, signatureParams } from './schemes/http-message-signatures/signature-base.js';
export { StructuredFieldError, parseDictionary, serializeInnerList, type Dictionary, type InnerList } from './schemes/http-message-signatures/structured-field.js';
export { jwkThumbprint, publicJwk } from './jwk.js';
export { DPOP_ALGORITHMS } from './schemes/dpop.js';
export { type QueryHashForm, queryHash, requestParams } from './schemes/query-hash.js';
export { trueLayerPayload } from './schemes/truelayer.js';

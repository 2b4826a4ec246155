/**
 * The building blocks Signet's own packages share: one source per rule, never published. Core keeps the modules
 * it uses itself and this package re-exports them from core's sources; what only the other packages use lives here.
 * Each package that imports this one bundles it (see build/tsup-bundle.ts), with `@signet/core` external: the
 * bundled code throws the one `SignetError` class that `@signet/core` exports.
 * @packageDocumentation
 */
export { ALGORITHMS, algorithmSpec, type AlgorithmSpec, type KeyFamily } from '../../core/src/algorithm-registry.js';
export { base64url } from '../../core/src/jws-minter.js';
export { keyFits, keyMisfit, type KeyMisfit } from '../../core/src/key-fit.js';
export { loadHmacSecret } from '../../core/src/keys.js';
export { checkClock, nowSeconds } from '../../core/src/clock.js';
export { hashBody, sha256Hex } from '../../core/src/body-hash.js';
export { isLowS, normalizeLowS } from '../../core/src/ecdsa.js';
export { jwsSignParams } from '../../core/src/jws-signing.js';
// Core's platform seam: each package's web build swaps these modules for their .web.ts twins, as core's does.
export { base64urlOf, fromBase64, hexOf, latin1, latin1Text } from '../../core/src/platform/bytes.js';
export { digestSync, randomBytes, secretBytes } from '../../core/src/platform/crypto.js';
// Web-build-only helpers (WebCrypto parameters, a DER reader for public keys): only a web seam imports them.
export { type PublicKeyInfo, bitLength, certificateSpki, opensslCurve, pkcs1ToSpki, spkiInfo } from '../../core/src/platform/der.js';
export { webAlgorithms } from '../../core/src/platform/web-algorithms.js';
export { optionNames, ownValue, readOptions, unknownOption } from '../../core/src/options.js';
export { assertHeaderName, assertHeaderSafeString, assertPositiveInteger } from '../../core/src/validate.js';
export { assertHttpKeyFits, httpKeyMisfit, isHttpSignatureAlgorithm } from '../../core/src/schemes/http-message-signatures/algorithms.js';
export { verifyBase } from '../../core/src/schemes/http-message-signatures/verify-base.js';
export { ComponentError, checkComponentId, parseComponentId, serializeComponentId, type ComponentId, type MessageContext } from '../../core/src/schemes/http-message-signatures/components.js';
export { checkContentDigest, isContentDigestAlgorithm } from '../../core/src/schemes/http-message-signatures/content-digest.js';
export { signatureBase, signatureParams } from '../../core/src/schemes/http-message-signatures/signature-base.js';
export { StructuredFieldError, parseDictionary, serializeInnerList, type Dictionary, type InnerList } from '../../core/src/schemes/http-message-signatures/structured-field.js';
export { jwkThumbprint, publicJwk } from '../../core/src/jwk.js';
export { DPOP_ALGORITHMS } from '../../core/src/schemes/dpop.js';
export { type QueryHashForm, queryHash, requestParams } from '../../core/src/schemes/query-hash.js';
export { trueLayerPayload } from '../../core/src/schemes/truelayer.js';
export { abortedWhileReading, assertOriginAllowed, bodyTooLarge, checkSignedHeaders, collectWebStream, collectWebStreamBytes, pinnedOrigins, refusedRedirect } from './transport.js';
export {
  DEFAULT_MAX_BUFFERED_BODY_BYTES,
  TRANSPORT_OPTIONS,
  assertSignerFirst,
  isSigner,
  sendSigned,
  transportOf,
  type Answer,
  type Attempts,
  type ServerClock,
  type Transport,
  type TransportOptions,
} from './pipeline.js';

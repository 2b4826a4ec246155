/**
 * The web build's entry (`workerd`, `worker`, `browser` and `default` conditions): the verifiers and the
 * web-standard adapters, on WebCrypto, for runtimes without `node:crypto`, `node:buffer` and `node:http`. index.ts
 * is this and what needs Node: the Express/node:http middleware, and the HTTP Message Signatures verifier (it
 * verifies through core's node:crypto `verifyBase`, which has no WebCrypto twin yet).
 * @packageDocumentation
 */
export { requestVerifier } from './request-verifier.js';
export type { RequestVerifierOptions } from './request-verifier.js';
export { portOneVerifier, twoCheckoutVerifier } from './provider-verifiers.js';
export type { PortOneVerifierOptions, TwoCheckoutVerifierOptions } from './provider-verifiers.js';
export { memoryReplayStore, redisReplayStore } from './replay.js';
export type { MemoryReplayStoreOptions, RedisReplayStoreOptions, RedisSetClient, ReplayStore } from './replay.js';
export type { CommonVerifierOptions } from './options.js';
export type { PublicKeyInput } from './keys.js';
export type { PendingVerification, RejectedRequest, Rejection, RequestClaims, RequestHead, VerifiableRequest, VerifiedClaims, Verifier } from './types.js';
export type { Explanation, FailedCheck, RejectHook } from './explain.js';
export { fireblocksVerifier } from './schemes/fireblocks.js';
export type { FireblocksVerifierOptions } from './schemes/fireblocks.js';
export { coinbaseVerifier } from './schemes/coinbase.js';
export type { CoinbaseVerifierOptions } from './schemes/coinbase.js';
export { dpopVerifier } from './schemes/dpop.js';
export type { DpopClaims, DpopVerifierOptions } from './schemes/dpop.js';
export { upbitVerifier } from './schemes/upbit.js';
export type { UpbitVerifierOptions } from './schemes/upbit.js';
export type { ExchangeSecretInput } from './schemes/exchange-jwt.js';
export { bithumbVerifier } from './schemes/bithumb.js';
export type { BithumbVerifierOptions } from './schemes/bithumb.js';
export { trueLayerVerifier } from './schemes/truelayer.js';
export type { TrueLayerClaims, TrueLayerVerifierOptions } from './schemes/truelayer.js';
export { refusalResponse, verifyFetchRequest } from './fetch.js';
export type { VerifiedFetchRequest } from './fetch.js';
export type { RequestLimits } from './limits.js';

// The Node build's entry: everything the web build exports (web.ts, one list for both), and what needs Node.
export * from './web.js';
export { httpMessageVerifier } from './schemes/http-message-signatures.js';
export type { HttpMessageVerifierOptions, HttpSignatureClaims, HttpVerificationKey } from './schemes/http-message-signatures.js';
export { signetMiddleware, withSignet } from './middleware.js';
export type { SignetMiddlewareOptions, SignetRequestFields } from './middleware.js';

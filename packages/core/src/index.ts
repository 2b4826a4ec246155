export { requestSigner } from './request-signer.js';
export type { RequestSignerOptions } from './request-signer.js';
export { SignetError } from './errors.js';
export type { SignetErrorCode } from './errors.js';
export type { SignableRequest, Signer } from './types.js';
export type { PrivateKeyInput } from './keys.js';

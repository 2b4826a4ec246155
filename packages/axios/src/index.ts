export { createSignedAxios } from './create-signed-axios.js';
export { attachSigner } from './attach-signer.js';
export type { SignedAxiosOptions } from './options.js';
export { generateTwoCheckoutSignature } from './two-checkout.js';
export type { TwoCheckoutSignatureOptions, TwoCheckoutSignatureRequest } from './two-checkout.js';

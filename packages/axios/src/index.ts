export { createSignedAxios } from './create-signed-axios.js';
export { attachSigner } from './attach-signer.js';
export type { SignedAxiosOptions } from './options.js';

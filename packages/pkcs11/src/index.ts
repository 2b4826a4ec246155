export { pkcs11Key } from './pkcs11-key.js';
export type { Pkcs11Key } from './pkcs11-key.js';
export { PKCS11_ALGORITHMS } from './options.js';
export type { Pkcs11Algorithm, Pkcs11KeyOptions } from './options.js';

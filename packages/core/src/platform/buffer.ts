// Node's Buffer, for the few modules that still speak it (the SigningKey path, ECDSA helpers); buffer.web.ts gives
// the web build the two constructors they use, on plain Uint8Arrays.
export { Buffer } from 'node:buffer';

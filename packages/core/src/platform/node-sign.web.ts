/** Never called in the web build (crypto.web.ts signs with WebCrypto); present so offload.ts needs no node:crypto. */
export function sign(): never {
  throw new Error('node:crypto sign is not available in the web build.');
}

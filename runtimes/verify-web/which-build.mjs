// Prints which build of @signet/verify the runtime running it resolves: "node" (node:crypto, with the Express
// middleware) or "web" (WebCrypto). Run by runtimes/test/verify-web.test.ts under Node, Bun and Deno.
const verify = await import('@signet/verify');
console.log(typeof verify.signetMiddleware === 'function' ? 'node' : 'web');

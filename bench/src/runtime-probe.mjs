// The runtime-agnostic half of the bench's "signing in each runtime" section: the same module runs in Node, Bun,
// Deno and workerd. It builds, for one RSA key and one HMAC secret, Signet's jwtSigner and that runtime's own floors
// (node:crypto and crypto.subtle, each minting the same token: the same header, the same {sub, iat, exp} claims),
// and runs any of them N times in a row. Timing is the caller's: workerd freezes its clocks while a request runs.
import { Buffer } from 'node:buffer';
import { createHmac, createPrivateKey, createSecretKey, sign } from 'node:crypto';
import { jwtSigner } from '@signet/core';

/** The variants every runtime measures, by algorithm. */
export const VARIANTS = ['signet', 'node:crypto', 'crypto.subtle'];
export const ALGORITHMS = ['RS256', 'HS256'];

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const encoder = new TextEncoder();
const request = { method: 'GET', url: '/v1/payments?merchant=bench' };

/** `{ [algorithm]: { [variant]: (n) => Promise<void> } }` for `{ rsaPrivate (PKCS#8 PEM), secret }`. */
export async function probes({ rsaPrivate, secret }) {
  const der = createPrivateKey(rsaPrivate).export({ type: 'pkcs8', format: 'der' });
  const subtleRsa = await crypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  const subtleHmac = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const rsaKey = createPrivateKey(rsaPrivate);
  const hmacKey = createSecretKey(Buffer.from(secret));
  // What a hand-written minter would do: the header segment once, the claims per token.
  const signingInput = (alg) => {
    const header = b64url(JSON.stringify({ alg, typ: 'JWT' }));
    return () => {
      const iat = Math.floor(Date.now() / 1000);
      return `${header}.${b64url(JSON.stringify({ sub: 'bench', iat, exp: iat + 300 }))}`;
    };
  };
  const loop = (one) => async (n) => {
    for (let i = 0; i < n; i++) await one();
  };
  const syncLoop = (one) => async (n) => {
    for (let i = 0; i < n; i++) one();
  };
  const built = {};
  for (const [alg, nodeSign, subtleSign] of [
    ['RS256', (data) => sign('sha256', Buffer.from(data), rsaKey), (data) => crypto.subtle.sign('RSASSA-PKCS1-v1_5', subtleRsa, encoder.encode(data))],
    ['HS256', (data) => createHmac('sha256', hmacKey).update(data).digest(), (data) => crypto.subtle.sign('HMAC', subtleHmac, encoder.encode(data))],
  ]) {
    const input = signingInput(alg);
    const signer = jwtSigner({ algorithm: alg, key: alg === 'RS256' ? rsaPrivate : secret, claims: { sub: 'bench' } });
    await signer.sign(request); // a runtime that imports keys on first use does it here, before any timing
    built[alg] = {
      signet: loop(() => signer.sign(request)),
      'node:crypto': syncLoop(() => {
        const data = input();
        return `${data}.${b64url(nodeSign(data))}`;
      }),
      'crypto.subtle': loop(async () => {
        const data = input();
        return `${data}.${b64url(await subtleSign(data))}`;
      }),
    };
  }
  return built;
}

// The runtime-agnostic driver: it uses only fetch, TextEncoder and the published entry points, as a user's code
// would, so the same file runs in Node, Bun, Deno and a Cloudflare Worker. Keys and secrets come from the
// verifying server's /config (generated per run by the test); every case sends one signed request to
// /verify/<case>, and the server (not this driver) decides whether it verified.
import { coinbaseSigner, dpopSigner, fireblocksSigner, httpMessageSigner, jwtSigner, portOneSigner, requestSigner, twoCheckoutSigner } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { requestVerifier } from '@signet/verify';

const JSON_BODY = '{"amount":1250,"note":"Grüße 🚀"}';

/** One signer per scheme, built from the server's config. */
const SCHEMES = {
  'requestSigner RS256': (c) => requestSigner({ apiKey: c.apiKey, privateKey: c.rsaPrivate }),
  portOneSigner: (c) => portOneSigner({ clientKey: c.apiKey, secretKey: c.secret }),
  twoCheckoutSigner: (c) => twoCheckoutSigner({ merchantCode: c.apiKey, secretWord: c.secret }),
  'jwtSigner HS256': (c) => jwtSigner({ algorithm: 'HS256', key: c.secret, claims: { sub: c.apiKey } }),
  'jwtSigner ES256': (c) => jwtSigner({ algorithm: 'ES256', key: c.ecPrivate, claims: { sub: c.apiKey } }),
  'jwtSigner EdDSA': (c) => jwtSigner({ algorithm: 'EdDSA', key: c.edPrivate, claims: { sub: c.apiKey } }),
  fireblocksSigner: (c) => fireblocksSigner({ apiKey: c.apiKey, privateKey: c.rsaPrivate }),
  coinbaseSigner: (c) => coinbaseSigner({ keyName: c.apiKey, privateKey: c.ecPrivate }),
  dpopSigner: (c) => dpopSigner({ privateKey: c.ecPrivate, algorithm: 'ES256', accessToken: c.accessToken }),
  'httpMessageSigner ed25519': (c) => httpMessageSigner({ algorithm: 'ed25519', key: c.edPrivate, keyId: c.apiKey, components: ['@method', '@target-uri', 'content-digest'] }),
};

/** The fetch adapter's body matrix, each signed by requestSigner (its bodyHash binds the exact bytes). */
const BODIES = {
  'body: string': () => JSON_BODY,
  'body: Uint8Array': () => Uint8Array.from([0, 1, 2, 253, 254, 255]),
  'body: URLSearchParams': () => new URLSearchParams({ a: '1', b: 'ü x&y' }),
  'body: FormData': () => {
    const form = new FormData();
    form.append('note', 'hello');
    form.append('file', new Blob([Uint8Array.from([0xff, 0x00, 0x41])], { type: 'application/octet-stream' }), 'f.bin');
    return form;
  },
  'body: Blob': () => new Blob(['blob body ', Uint8Array.from([0xff, 0x00]), ' end']),
  'body: ReadableStream': () => {
    const chunks = ['stream ', 'body ', 'in three chunks'].map((text) => new TextEncoder().encode(text));
    return new ReadableStream({ pull: (controller) => (chunks.length > 0 ? controller.enqueue(chunks.shift()) : controller.close()) });
  },
};

/** What went wrong, without stacks (they differ per runtime) but with the code a SignetError carries. */
function describe(error) {
  const code = error && typeof error === 'object' && 'code' in error ? ` [${error.code}]` : '';
  return `${error?.name ?? typeof error}${code}: ${error?.message ?? String(error)}`;
}

async function send(origin, name, signer, body) {
  const signedFetch = createSignedFetch(signer, { baseURL: origin });
  const response = await signedFetch(`/verify/${encodeURIComponent(name)}?q=1&tag=a%20b`, { method: 'POST', body });
  const text = await response.text();
  return response.status === 200 ? 'ok' : `server answered ${response.status}: ${text}`;
}

/**
 * @signet/verify in this runtime: a token minted by jsonwebtoken (in the server's /config) for POST /v1/pay?x=1 with
 * JSON_BODY verifies, and the same token with one body byte changed is refused.
 */
async function verifyHere(config) {
  const verifier = requestVerifier({ publicKey: config.rsaPublic });
  const request = (body) => ({ method: 'POST', url: '/v1/pay?x=1', headers: { authorization: `Bearer ${config.mintedToken}` }, body: new TextEncoder().encode(body) });
  const claims = await verifier.verify(request(JSON_BODY));
  if (claims.sub !== config.apiKey) return `verified, but sub is ${claims.sub}`;
  const tampered = await verifier.verify(request(JSON_BODY.replace('1250', '9250'))).then(
    () => 'accepted',
    (error) => error,
  );
  return tampered === 'accepted' ? 'a tampered body was accepted' : `ok (tampered body refused: ${tampered.code})`;
}

/**
 * Runs every case against the verifying server at `origin` and returns `{ [case]: 'ok' | what failed }`.
 * A case that throws in this runtime (construction or signing) reports the error instead of stopping the run.
 */
export async function runDriver(origin) {
  const config = await (await fetch(`${origin}/config`)).json();
  const results = {};
  for (const [name, make] of Object.entries(SCHEMES)) {
    try {
      results[name] = await send(origin, name, make(config), JSON_BODY);
    } catch (error) {
      results[name] = describe(error);
    }
  }
  for (const [name, body] of Object.entries(BODIES)) {
    try {
      results[name] = await send(origin, name, requestSigner({ apiKey: config.apiKey, privateKey: config.rsaPrivate }), body());
    } catch (error) {
      results[name] = describe(error);
    }
  }
  try {
    results['requestVerifier (jsonwebtoken-minted token)'] = await verifyHere(config);
  } catch (error) {
    results['requestVerifier (jsonwebtoken-minted token)'] = describe(error);
  }
  return results;
}

// A Worker that verifies with @signet/verify's web build, in workerd without nodejs_compat (no node:crypto, no
// node:buffer). runtimes/test/verify-web.test.ts bundles it with the Worker conditions and sends it requests signed in
// Node by jsonwebtoken and jose. POST /fetch/<verifier>/… answers through verifyFetchRequest, /hono/<verifier>/…
// through signetHono: 200 with the verified claims and body, or the refusal (401 with its code).
import { portOneVerifier, refusalResponse, requestVerifier, verifyFetchRequest } from '@signet/verify';
import { signetHono } from '@signet/verify/hono';
import { Hono } from 'hono';

/** The verifiers, made once per isolate from the keys the test binds (PEM, JWK, DER as base64). */
let verifiers;
function verifiersOf(env) {
  verifiers ??= {
    rs256: requestVerifier({ publicKey: env.RSA_PUBLIC_PEM }),
    ps256: requestVerifier({ publicKey: env.RSA_PUBLIC_PEM, algorithms: ['PS256'] }),
    es256: requestVerifier({ publicKey: JSON.parse(env.EC_PUBLIC_JWK), algorithms: ['ES256'] }),
    eddsa: requestVerifier({ publicKey: Uint8Array.from(atob(env.ED_PUBLIC_DER_BASE64), (c) => c.charCodeAt(0)), algorithms: ['EdDSA'] }),
    apikey: requestVerifier({ keyForApiKey: (apiKey) => (apiKey === 'merchant-1' ? env.RSA_PUBLIC_PEM : undefined), algorithms: ['RS256', 'ES256'] }),
    portone: portOneVerifier({ clientKey: 'ck-1', secretKey: env.PORTONE_SECRET }),
  };
  return verifiers;
}

const answer = (claims, body) => Response.json({ claims, body: new TextDecoder().decode(body) });

const hono = new Hono();
hono.post(
  '/hono/:verifier/*',
  (c, next) => signetHono(verifiersOf(c.env)[c.req.param('verifier')])(c, next),
  async (c) => answer(c.get('signet'), c.get('signetBody')),
);

export default {
  async fetch(request, env) {
    const [, mode, name] = new URL(request.url).pathname.split('/');
    if (mode === 'hono') return hono.fetch(request, env);
    const verifier = verifiersOf(env)[name];
    if (mode !== 'fetch' || verifier === undefined) return new Response('no such route', { status: 404 });
    try {
      const { claims, body } = await verifyFetchRequest(verifier, request);
      return answer(claims, body);
    } catch (error) {
      return refusalResponse(error);
    }
  },
};

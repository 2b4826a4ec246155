import { requestSigner } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { refusalResponse, requestVerifier, verifyFetchRequest } from '@signet/verify';

// A checkout Worker: the shop's backend calls POST /orders with a signed request; the Worker verifies it (before
// reading the body), then calls the payment provider with a request it signs itself. Web-standard only: the same
// module runs in workerd (wrangler deploy) and, for the demo, under Node (src/main.ts).

/** The Worker's bindings (wrangler.toml [vars] and secrets). */
export interface Env {
  /** The shop backend's RS256 public key (PEM): who may call this Worker. */
  SHOP_PUBLIC_KEY: string;
  /** This Worker's API key and RS256 private key (PEM) at the payment provider. */
  PSP_API_KEY: string;
  PSP_PRIVATE_KEY: string;
  /** The payment provider's origin, e.g. https://api.psp.example. */
  PSP_URL: string;
}

// Built once per isolate: the key parsing happens at the first request, not at every one.
let clients: { verifier: ReturnType<typeof requestVerifier>; psp: ReturnType<typeof createSignedFetch> } | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (request.method !== 'POST' || new URL(request.url).pathname !== '/orders') return new Response('not found', { status: 404 });
    clients ??= {
      verifier: requestVerifier({ publicKey: env.SHOP_PUBLIC_KEY }),
      psp: createSignedFetch(requestSigner({ apiKey: env.PSP_API_KEY, privateKey: env.PSP_PRIVATE_KEY }), { baseURL: env.PSP_URL }),
    };
    let verified;
    try {
      verified = await verifyFetchRequest(clients.verifier, request);
    } catch (error) {
      return refusalResponse(error); // 401 / 413 / 431 as JSON, with the SignetError's code
    }
    // The verified bytes: the request's own stream is consumed, and these are exactly the bytes the signature covers.
    const order = JSON.parse(new TextDecoder().decode(verified.body)) as { amount: number; currency: string };
    const payment = await clients.psp('/v1/payments', { method: 'POST', body: { amount: order.amount, currency: order.currency, shop: verified.claims.sub } });
    return Response.json({ shop: verified.claims.sub, psp: payment.status, payment: (await payment.json()) as unknown }, { status: payment.ok ? 201 : 502 });
  },
};

import { Buffer } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedAxios } from '@signet/axios';
import { portOneSigner, twoCheckoutSigner } from '@signet/core';
import { portOneVerifier, twoCheckoutVerifier } from '@signet/verify';
import { NOW, SERVER_KINDS, type SignetServer, countingVerifier, expectRefused, fixedClock, sendRaw, startSignetServer } from './support/servers.js';

const CLIENT_KEY = 'SglffyyZgojEdXWL';
const OTHER_CLIENT_KEY = 'QkxBQ0tCRVJSWTEy';
const SECRET_KEY = 'portone-secret-key-for-tests';
const MERCHANT = 'MERCH1';
const SECRET_WORD = 'buy-link-secret-word';

describe.each(SERVER_KINDS)('provider verifiers through the middleware on %s', (kind) => {
  const twoCheckout = countingVerifier(twoCheckoutVerifier({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock: fixedClock }));
  let portOneServer: SignetServer;
  let twoCheckoutServer: SignetServer;

  beforeAll(async () => {
    portOneServer = await startSignetServer(kind, portOneVerifier({ clientKeys: [CLIENT_KEY, OTHER_CLIENT_KEY], secretKey: SECRET_KEY, clock: fixedClock }));
    twoCheckoutServer = await startSignetServer(kind, twoCheckout, { maxHeaderBytes: 1024 });
  });

  afterAll(async () => {
    await Promise.all([portOneServer?.close(), twoCheckoutServer?.close()]);
  });

  describe('portOneVerifier', () => {
    const signer = portOneSigner({ clientKey: CLIENT_KEY, secretKey: SECRET_KEY, clock: fixedClock });

    it('passes a request signed by portOneSigner through createSignedAxios', async () => {
      const api = createSignedAxios(signer, { baseURL: portOneServer.origin, validateStatus: () => true, timeout: 5000 });
      const payload = { merchant_order_ref: 'order-1', amount: 5000 };

      const response = await api.post('/api/paymentLink', payload);

      expect(response.status).toBe(200);
      const seen = portOneServer.seen.at(-1);
      expect(seen?.signet).toEqual({ iss: 'PORTONE', sub: CLIENT_KEY, iat: NOW / 1000, exp: NOW / 1000 + 100 });
      expect(seen?.rawBody).toEqual(Buffer.from(JSON.stringify(payload)));
      expect(seen?.body).toEqual(payload);
    });

    it('refuses a valid token sent with another accepted X-Portone-Client-Key with ERR_CLIENT_KEY_MISMATCH', async () => {
      const headers = { ...(await signer.sign({ method: 'GET', url: '/api/transaction/order-1/status' })), 'X-Portone-Client-Key': OTHER_CLIENT_KEY };
      const before = portOneServer.seen.length;

      const response = await sendRaw(portOneServer.origin, { method: 'GET', path: '/api/transaction/order-1/status', headers });

      expectRefused(response, 401, 'ERR_CLIENT_KEY_MISMATCH');
      expect(portOneServer.seen.length).toBe(before);
    });
  });

  describe('twoCheckoutVerifier', () => {
    it('passes a request signed by twoCheckoutSigner through createSignedAxios', async () => {
      const api = createSignedAxios(twoCheckoutSigner({ merchantCode: MERCHANT, secretWord: SECRET_WORD, clock: fixedClock }), {
        baseURL: twoCheckoutServer.origin,
        validateStatus: () => true,
        timeout: 5000,
      });
      const payload = { merchant: MERCHANT, prod: 'Pro plan', price: 49, currency: 'USD' };

      const response = await api.post('/checkout/api/encrypt/generate/signature', payload);

      expect(response.status).toBe(200);
      const seen = twoCheckoutServer.seen.at(-1);
      expect(seen?.signet).toEqual({ sub: MERCHANT, iat: NOW / 1000, exp: NOW / 1000 + 1800 });
      expect(seen?.body).toEqual(payload);
    });

    it('refuses a merchant token signed with another secret word with ERR_SIGNATURE_INVALID', async () => {
      const forged = twoCheckoutSigner({ merchantCode: MERCHANT, secretWord: 'not-the-secret-word', clock: fixedClock });
      const headers = await forged.sign({ method: 'GET', url: '/orders' });
      const before = twoCheckoutServer.seen.length;

      const response = await sendRaw(twoCheckoutServer.origin, { method: 'GET', path: '/orders', headers });

      expectRefused(response, 401, 'ERR_SIGNATURE_INVALID');
      expect(twoCheckoutServer.seen.length).toBe(before);
    });

    it('bounds the merchant-token header, the one this scheme reads, before verifying', async () => {
      const calls = twoCheckout.calls;

      const response = await sendRaw(twoCheckoutServer.origin, { method: 'GET', path: '/orders', headers: { 'merchant-token': 'a'.repeat(1025) } });

      expectRefused(response, 431, 'ERR_REQUEST_TOO_LARGE');
      expect(twoCheckout.calls).toBe(calls);
    });
  });
});

import { Buffer } from 'node:buffer';
import type { ErrorRequestHandler } from 'express';
import type { AxiosInstance } from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedAxios } from '@signet/axios';
import { SignetError, requestSigner } from '@signet/core';
import { requestVerifier, signetMiddleware } from '@signet/verify';
import { EXPRESS_KINDS, type Listening, type Seen, expectRefused, expressOf, fixedClock, listen, recorder, rsaKeys, sendRaw } from './support/servers.js';

describe.each(EXPRESS_KINDS)('signetMiddleware in an %s app', (kind) => {
  const express = expressOf(kind);
  const { privateKey, publicKey } = rsaKeys();
  const signer = requestSigner({ apiKey: 'merchant-7', privateKey, clock: fixedClock });
  const verifier = requestVerifier({ publicKey, clock: fixedClock });
  const servers: Listening[] = [];

  async function serve(build: (app: ReturnType<typeof express>, seen: Seen[]) => void): Promise<{ origin: string; seen: Seen[]; api: AxiosInstance }> {
    const app = express();
    const seen: Seen[] = [];
    build(app, seen);
    const server = await listen(app);
    servers.push(server);
    return { origin: server.origin, seen, api: createSignedAxios(signer, { baseURL: server.origin, validateStatus: () => true, timeout: 3000 }) };
  }

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  describe('mounted under a prefix, verifies against the full original URL', () => {
    let prefixed: Awaited<ReturnType<typeof serve>>;
    let routed: Awaited<ReturnType<typeof serve>>;

    beforeAll(async () => {
      prefixed = await serve((app, seen) => {
        app.use('/api', signetMiddleware(verifier));
        app.post('/api/x', recorder(seen));
      });
      routed = await serve((app, seen) => {
        const router = express.Router();
        router.use(signetMiddleware(verifier));
        router.post('/x', recorder(seen));
        app.use('/api', router);
      });
    });

    for (const [name, target] of [
      ['app.use("/api", …)', () => prefixed],
      ['a Router mounted at "/api"', () => routed],
    ] as const) {
      it(`passes a request signed for the full path under ${name}`, async () => {
        const { api, seen } = target();
        const response = await api.post('/api/x?y=1', { amount: 2 });

        expect(response.status).toBe(200);
        expect(seen).toHaveLength(1);
        expect(seen[0]?.url).toBe('/api/x?y=1');
        expect(seen[0]?.signet).toMatchObject({ uri: '/api/x?y=1' });
        expect(seen[0]?.body).toEqual({ amount: 2 });
      });

      it(`refuses a token signed for the path below the prefix under ${name}`, async () => {
        const { origin, seen } = target();
        const body = Buffer.from('{"amount":2}');
        const headers = { ...(await signer.sign({ method: 'POST', url: '/x?y=1', body })), 'content-type': 'application/json' };
        const before = seen.length;

        const response = await sendRaw(origin, { method: 'POST', path: '/api/x?y=1', headers, body });

        expectRefused(response, 401, 'ERR_URI_MISMATCH');
        expect(seen.length).toBe(before);
      });
    }
  });

  describe('with body parsers', () => {
    it('keeps working with express.json() and express.urlencoded() mounted after it', async () => {
      const { api, seen } = await serve((app, seen) => {
        app.use(signetMiddleware(verifier));
        app.use(express.json());
        app.use(express.urlencoded({ extended: false }));
        app.post('/orders', recorder(seen));
      });
      const payload = { amount: 10, items: ['a', 'b'] };

      const json = await api.post('/orders', payload);
      const form = await api.post('/orders', new URLSearchParams({ amount: '11' }));

      expect([json.status, form.status]).toEqual([200, 200]);
      expect(seen.map((entry) => entry.body)).toEqual([payload, { amount: '11' }]);
      expect(seen[0]?.rawBody).toEqual(Buffer.from(JSON.stringify(payload)));
      expect(seen[1]?.rawBody?.toString()).toBe('amount=11');
      expect(seen.map((entry) => entry.signet?.['uri'])).toEqual(['/orders', '/orders']);
    });

    it('fails (never 200) when express.json() is mounted before it, as the body is already consumed', async () => {
      const errors: unknown[] = [];
      const onError: ErrorRequestHandler = (error, _req, res, _next) => {
        errors.push(error);
        res.status(500).json({ error: 'internal' });
      };
      const { api, seen } = await serve((app, seen) => {
        app.use(express.json());
        app.use(signetMiddleware(verifier));
        app.post('/orders', recorder(seen));
        app.use(onError);
      });

      const defaults = await serve((app, seen) => {
        app.use(express.json());
        app.use(signetMiddleware(verifier));
        app.post('/orders', recorder(seen));
      });

      const response = await api.post('/orders', { amount: 10 });
      const byDefault = await defaults.api.post('/orders', { amount: 10 });

      // A misplaced middleware is a configuration error for the app's error handler, never a 401 nor a pass.
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(SignetError);
      expect((errors[0] as SignetError).code).toBe('ERR_BODY_CONSUMED');
      expect((errors[0] as SignetError).message).toContain('before any body parser');
      expect(response.status).toBe(500);
      expect(byDefault.status).toBe(500);
      expect(seen).toHaveLength(0);
      expect(defaults.seen).toHaveLength(0);
    });
  });
});

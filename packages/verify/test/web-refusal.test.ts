import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { SignetError, requestSigner } from '@signet/core';
import { refusalResponse, requestVerifier, verifyFetchRequest } from '@signet/verify';
import { signetHono } from '@signet/verify/hono';
import { rsaKeys } from './support/servers.js';

const { privateKey, publicKey } = rsaKeys();
const verifier = requestVerifier({ publicKey });
const signer = requestSigner({ apiKey: 'merchant-7', privateKey });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

describe('verifyFetchRequest and refusalResponse on Request objects', () => {
  it('verifies the path + query of request.url and returns the exact body bytes', async () => {
    const body = new TextEncoder().encode('{"a":1}');
    const headers = await signer.sign({ method: 'POST', url: '/v1/x?y=%C3%A9', body });
    const { claims, body: verified } = await verifyFetchRequest(verifier, new Request('http://api.test/v1/x?y=%C3%A9', { method: 'POST', headers, body }));
    expect(claims).toMatchObject({ sub: 'merchant-7', uri: '/v1/x?y=%C3%A9' });
    expect(verified).toEqual(body);
  });

  it('tells a header over the limit (431) from a body over it (413), though both are ERR_REQUEST_TOO_LARGE', async () => {
    const big = await rejection(verifyFetchRequest(verifier, new Request('http://api.test/x', { headers: { authorization: `Bearer ${'a'.repeat(100)}` } }), { maxHeaderBytes: 10 }));
    // No Content-Length on a constructed Request: the body is measured as it is read, after the token passed.
    const body = new TextEncoder().encode('x'.repeat(100));
    const headers = await signer.sign({ method: 'POST', url: '/x', body });
    const long = await rejection(verifyFetchRequest(verifier, new Request('http://api.test/x', { method: 'POST', headers, body }), { maxBodyBytes: 10 }));
    expect(big).toBeSignetError('ERR_REQUEST_TOO_LARGE');
    expect(long).toBeSignetError('ERR_REQUEST_TOO_LARGE');
    expect(refusalResponse(big).status).toBe(431);
    expect(refusalResponse(long).status).toBe(413);
  });

  it('refuses a request whose body something already read with ERR_BODY_CONSUMED, answered 500 (a server misconfiguration)', async () => {
    const request = new Request('http://api.test/x', { method: 'POST', body: 'read twice' });
    await request.text();
    const error = await rejection(verifyFetchRequest(verifier, request));
    expect(error).toBeSignetError('ERR_BODY_CONSUMED');
    expect(refusalResponse(error).status).toBe(500);
  });

  it('builds the middleware refusal for any SignetError: 401 with the Bearer challenge, JSON { error, message }', async () => {
    const response = refusalResponse(new SignetError('ERR_TOKEN_EXPIRED', 'The token expired.'));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ error: 'ERR_TOKEN_EXPIRED', message: 'The token expired.' });
    expect(refusalResponse(new SignetError('ERR_KEY_LOOKUP_FAILED', 'down')).status).toBe(503);
  });

  it('throws back anything that is not a SignetError (a bug, for the app error handler), never answering it as a 401', () => {
    const bug = new TypeError('boom');
    expect(() => refusalResponse(bug)).toThrow(bug);
  });

  it('refuses a verifier that is not one and an unknown option with ERR_INVALID_OPTION', async () => {
    expect(await rejection(verifyFetchRequest({} as never, new Request('http://api.test/')))).toBeSignetError('ERR_INVALID_OPTION');
    expect(await rejection(verifyFetchRequest(verifier, new Request('http://api.test/'), { maxBody: 1 } as never))).toBeSignetError('ERR_INVALID_OPTION');
    expect(() => signetHono(verifier, { maxBodyBytes: -1 })).toThrow(SignetError);
  });
});

describe('signetHono through app.fetch', () => {
  it('serves c.req.json() and c.req.text() from the verified bytes after consuming the stream', async () => {
    const app = new Hono();
    app.use('/v1/*', signetHono(verifier));
    app.post('/v1/orders', async (c) => c.json({ sub: c.get('signet').sub, json: await c.req.json(), text: await c.req.text() }));
    const body = '{"amount":5}';
    const headers = { ...(await signer.sign({ method: 'POST', url: '/v1/orders', body: new TextEncoder().encode(body) })), 'content-type': 'application/json' };
    const response = await app.fetch(new Request('http://api.test/v1/orders', { method: 'POST', headers, body }));
    expect(await response.json()).toEqual({ sub: 'merchant-7', json: { amount: 5 }, text: body });
  });

  it('leaves routes outside its path alone, and refuses unsigned requests on its path with 401 JSON', async () => {
    const app = new Hono();
    app.use('/v1/*', signetHono(verifier));
    app.get('/health', (c) => c.text('up'));
    app.get('/v1/x', (c) => c.text('secret'));
    expect(await (await app.fetch(new Request('http://api.test/health'))).text()).toBe('up');
    const refused = await app.fetch(new Request('http://api.test/v1/x'));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'ERR_TOKEN_MISSING' });
  });
});

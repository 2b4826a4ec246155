import { Buffer } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedAxios } from '@signet/axios';
import { requestSigner } from '@signet/core';
import { requestVerifier } from '@signet/verify';
import { SERVER_KINDS, type SignetServer, binaryBytes, countingVerifier, expectRefused, fixedClock, rsaKeys, sendRaw, startSignetServer } from './support/servers.js';

const MAX_BODY = 1024;
const MAX_HEADER = 512;

describe.each(SERVER_KINDS)('the middleware on %s bounds the request before any cryptography', (kind) => {
  const { privateKey, publicKey } = rsaKeys();
  const signer = requestSigner({ apiKey: 'merchant-7', privateKey, clock: fixedClock });
  const bodyLimited = countingVerifier(requestVerifier({ publicKey, clock: fixedClock }));
  const headerLimited = countingVerifier(requestVerifier({ publicKey, clock: fixedClock }));
  let bodyServer: SignetServer;
  let headerServer: SignetServer;
  let unparsedServer: SignetServer;

  beforeAll(async () => {
    bodyServer = await startSignetServer(kind, bodyLimited, { maxBodyBytes: MAX_BODY });
    headerServer = await startSignetServer(kind, headerLimited, { maxHeaderBytes: MAX_HEADER });
    unparsedServer = await startSignetServer(kind, requestVerifier({ publicKey, clock: fixedClock }), { parseBody: false });
  });

  afterAll(async () => {
    await Promise.all([bodyServer?.close(), headerServer?.close(), unparsedServer?.close()]);
  });

  /** Sends a correctly signed POST of `body` to the body-limited server, with Content-Length or chunked. */
  async function sendSigned(body: Buffer, chunkSize?: number): ReturnType<typeof sendRaw> {
    const headers = { ...(await signer.sign({ method: 'POST', url: '/uploads', body })), 'content-type': 'application/octet-stream' };
    return sendRaw(bodyServer.origin, { method: 'POST', path: '/uploads', headers, body, ...(chunkSize === undefined ? {} : { chunkSize }) });
  }

  it('answers 413 ERR_REQUEST_TOO_LARGE to a signed body one byte over maxBodyBytes, with Content-Length, without verifying', async () => {
    const calls = bodyLimited.calls;
    const completions = bodyLimited.completions;
    const seen = bodyServer.seen.length;
    const api = createSignedAxios(signer, { baseURL: bodyServer.origin, validateStatus: () => true, timeout: 5000 });

    const response = await api.post('/uploads', binaryBytes(MAX_BODY + 1), { headers: { 'Content-Type': 'application/octet-stream' } });

    expectRefused(response, 413, 'ERR_REQUEST_TOO_LARGE');
    expect(bodyLimited.calls).toBe(calls);
    expect(bodyLimited.completions).toBe(completions);
    expect(bodyServer.seen.length).toBe(seen);
  });

  // A middleware that waited for the withheld body would never answer: the short timeout fails it fast.
  it('answers 413 ERR_REQUEST_TOO_LARGE from a Content-Length over maxBodyBytes alone, without waiting for the body', async () => {
    const calls = bodyLimited.calls;
    const headers = { ...(await signer.sign({ method: 'POST', url: '/uploads', body: binaryBytes(10) })), 'content-type': 'application/octet-stream' };

    const response = await sendRaw(bodyServer.origin, { method: 'POST', path: '/uploads', headers, withheldLength: 10 * 1024 * 1024 });

    expectRefused(response, 413, 'ERR_REQUEST_TOO_LARGE');
    expect(bodyLimited.calls).toBe(calls);
  }, 5000);

  // A chunked body's size is only known once read, and the body is read only for a request whose headers authenticate:
  // the token is checked first, then reading stops at maxBodyBytes, and the body is never hashed nor bound.
  it('answers 413 ERR_REQUEST_TOO_LARGE to a chunked body over maxBodyBytes (no Content-Length), without binding the body', async () => {
    const calls = bodyLimited.calls;
    const completions = bodyLimited.completions;
    const seen = bodyServer.seen.length;

    const response = await sendSigned(binaryBytes(MAX_BODY * 3), 300);

    expectRefused(response, 413, 'ERR_REQUEST_TOO_LARGE');
    expect(bodyLimited.calls).toBe(calls + 1);
    expect(bodyLimited.completions).toBe(completions);
    expect(bodyServer.seen.length).toBe(seen);
  });

  it('answers 401 to an unsigned chunked body over maxBodyBytes from its headers alone, and closes the connection', async () => {
    const completions = bodyLimited.completions;
    const seen = bodyServer.seen.length;

    // The client asks to keep the connection alive; the server closes it instead of draining the unread body.
    const headers = { 'content-type': 'application/octet-stream', connection: 'keep-alive' };
    const response = await sendRaw(bodyServer.origin, { method: 'POST', path: '/uploads', headers, body: binaryBytes(MAX_BODY * 3), chunkSize: 300 });

    expectRefused(response, 401, 'ERR_TOKEN_MISSING');
    expect(response.headers['connection']).toBe('close');
    expect(bodyLimited.completions).toBe(completions);
    expect(bodyServer.seen.length).toBe(seen);
  });

  it('keeps the connection of a refusal that came after its body was read (the control of the test above)', async () => {
    const headers = { ...(await signer.sign({ method: 'POST', url: '/uploads', body: binaryBytes(10) })), 'content-type': 'application/octet-stream', connection: 'keep-alive' };
    const response = await sendRaw(bodyServer.origin, { method: 'POST', path: '/uploads', headers, body: binaryBytes(11), chunkSize: 5 });

    expectRefused(response, 401, 'ERR_BODY_HASH_MISMATCH');
    expect(response.headers['connection']).toBe('keep-alive');
  });

  it('passes a signed body of exactly maxBodyBytes sent with Content-Length', async () => {
    const calls = bodyLimited.calls;
    const body = binaryBytes(MAX_BODY, 1);

    const completions = bodyLimited.completions;

    const response = await sendSigned(body);

    expect(response.status).toBe(200);
    expect(bodyLimited.calls).toBe(calls + 1);
    expect(bodyLimited.completions).toBe(completions + 1);
    expect(bodyServer.seen.at(-1)?.headers['content-length']).toBe(String(MAX_BODY));
    expect(bodyServer.seen.at(-1)?.rawBody).toEqual(body);
  });

  it('passes a signed body of exactly maxBodyBytes sent chunked', async () => {
    const body = binaryBytes(MAX_BODY, 2);

    const response = await sendSigned(body, 300);

    expect(response.status).toBe(200);
    const seen = bodyServer.seen.at(-1);
    expect(seen?.headers['transfer-encoding']).toBe('chunked');
    expect(seen?.headers['content-length']).toBeUndefined();
    expect(seen?.rawBody).toEqual(body);
  });

  it('answers 431 ERR_REQUEST_TOO_LARGE to a signed request whose Authorization exceeds maxHeaderBytes, without verifying', async () => {
    const headers = await signer.sign({ method: 'GET', url: '/items' });
    expect(String(headers['Authorization']).length).toBeGreaterThan(MAX_HEADER);
    const calls = headerLimited.calls;
    const seen = headerServer.seen.length;

    const response = await sendRaw(headerServer.origin, { method: 'GET', path: '/items', headers });

    expectRefused(response, 431, 'ERR_REQUEST_TOO_LARGE');
    expect(headerLimited.calls).toBe(calls);
    expect(headerServer.seen.length).toBe(seen);
  });

  it('verifies an Authorization header within maxHeaderBytes', async () => {
    const calls = headerLimited.calls;
    const response = await sendRaw(headerServer.origin, { method: 'GET', path: '/items', headers: { authorization: `Bearer ${'a'.repeat(MAX_HEADER - 7)}` } });

    expectRefused(response, 401, 'ERR_JWT_MALFORMED');
    expect(headerLimited.calls).toBe(calls + 1);
  });

  it('with parseBody false, leaves req.body undefined and still sets req.rawBody', async () => {
    const api = createSignedAxios(signer, { baseURL: unparsedServer.origin, validateStatus: () => true, timeout: 5000 });
    const payload = { amount: 3 };

    const response = await api.post('/orders', payload);

    expect(response.status).toBe(200);
    const seen = unparsedServer.seen.at(-1);
    expect(seen?.signet).toMatchObject({ uri: '/orders' });
    expect(seen?.rawBody).toEqual(Buffer.from(JSON.stringify(payload)));
    expect(seen?.body).toBeUndefined();
  });
});

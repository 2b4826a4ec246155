import { Buffer } from 'node:buffer';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignetError } from '@signet/core';
import { jwtSigner, portOneSigner, requestSigner, twoCheckoutSigner, type Signer } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { expectCode, type Received, rejection, testKeys, thrown } from '@signet/test-support';

// Header injection: CR, LF or NUL in anything that becomes a header is refused. Core signers refuse such options
// when they are built (ERR_INVALID_OPTION); the axios adapter refuses what any signer returns (ERR_INVALID_REQUEST)
// before a byte is sent, instead of letting axios strip the characters and send a mangled credential.

const keys = testKeys().rsa;
const SECRET_MARKER = 'tok-secret-4f9a';

/** A listener that records requests and counts TCP connections. */
interface Listener {
  origin: string;
  received: Received[];
  connections: number;
  close(): Promise<void>;
}

async function startListener(): Promise<Listener> {
  const listener: Listener = { origin: '', received: [], connections: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      listener.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  server.on('connection', () => (listener.connections += 1));
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  listener.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  listener.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return listener;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function listen(): Promise<Listener> {
  const listener = await startListener();
  cleanups.push(() => listener.close());
  return listener;
}

/** A custom Signer that returns exactly these headers. */
function returning(headers: Record<string, unknown>): Signer {
  return { sign: async () => headers as Record<string, string> };
}

const CONTROL: { label: string; chars: string }[] = [
  { label: 'CR LF', chars: '\r\n' },
  { label: 'a bare LF', chars: '\n' },
  { label: 'a bare CR', chars: '\r' },
  { label: 'NUL', chars: '\0' },
];

describe.each(['http', 'fetch'] as const)('headers a custom signer returns, with the %s adapter', (adapter) => {
  async function send(signer: Signer): Promise<{ error: unknown; listener: Listener }> {
    const listener = await listen();
    const api = createSignedAxios(signer, { baseURL: listener.origin, adapter });
    const error = await rejection(api.post('/payments', { amount: 1 }));
    return { error, listener };
  }

  function expectNothingSent(listener: Listener): void {
    expect(listener.received, 'requests received').toHaveLength(0);
    expect(listener.connections, 'connections accepted').toBe(0);
  }

  it.each(CONTROL)('a value with $label is refused with ERR_INVALID_REQUEST and nothing is sent', async ({ chars }) => {
    const { error, listener } = await send(returning({ Authorization: `Bearer ${SECRET_MARKER}${chars}X-Injected: 1` }));

    expectCode(error, 'ERR_INVALID_REQUEST');
    expect((error as SignetError).message).not.toContain(SECRET_MARKER);
    expectNothingSent(listener);
  });

  it('a value with a trailing CR LF is refused rather than trimmed', async () => {
    const { error, listener } = await send(returning({ 'X-API-Key': `${SECRET_MARKER}\r\n` }));

    expectCode(error, 'ERR_INVALID_REQUEST');
    expectNothingSent(listener);
  });

  it('a value with DEL or another C0 control is refused with ERR_INVALID_REQUEST', async () => {
    for (const value of [`${SECRET_MARKER}\x7f`, `${SECRET_MARKER}\x1b[0m`, `${SECRET_MARKER}\x0b`]) {
      const { error, listener } = await send(returning({ 'merchant-token': value }));
      expectCode(error, 'ERR_INVALID_REQUEST');
      expectNothingSent(listener);
    }
  });

  it('one bad header among good ones refuses the whole request', async () => {
    const { error, listener } = await send(returning({ Authorization: 'Bearer good', 'X-Portone-Client-Key': 'client\r\nX-Injected: 1' }));

    expectCode(error, 'ERR_INVALID_REQUEST');
    expectNothingSent(listener);
  });

  it.each(['Bad Header', 'X\r\nY', 'X-Key\n', 'X:Y', '', 'Authorization\0', 'Ключ'])('a header name %j is refused with ERR_INVALID_REQUEST and nothing is sent', async (name) => {
    const { error, listener } = await send(returning({ [name]: 'value' }));

    expectCode(error, 'ERR_INVALID_REQUEST');
    expectNothingSent(listener);
  });

  it.each([
    { title: 'a number', value: 42 },
    { title: 'undefined', value: undefined },
    { title: 'an array', value: ['a', 'b'] },
  ])('a header value that is $title instead of a string is refused with ERR_INVALID_REQUEST', async ({ value }) => {
    const { error, listener } = await send(returning({ Authorization: value }));

    expectCode(error, 'ERR_INVALID_REQUEST');
    expectNothingSent(listener);
  });

  it('a value with an inner tab and spaces is a valid header value and is sent as it is', async () => {
    const listener = await listen();
    const api = createSignedAxios(returning({ 'X-Signature': 'v1 a\tb  c' }), { baseURL: listener.origin, adapter });

    await api.get('/ok');

    expect(listener.received).toHaveLength(1);
    expect(listener.received[0]?.headers['x-signature']).toBe('v1 a\tb  c');
  });
});

describe('core signers refuse header-breaking options when they are built', () => {
  const hsKey = Buffer.alloc(32, 3);

  describe.each(CONTROL)('with $label', ({ chars }) => {
    it('requestSigner refuses an apiKey containing it', () => {
      expectCode(
        thrown(() => requestSigner({ apiKey: `key${chars}X-Injected: 1`, privateKey: keys.privateKeyPem })),
        'ERR_INVALID_OPTION',
      );
    });

    it('requestSigner refuses an apiKey ending with it, even without an apiKeyHeader', () => {
      expectCode(
        thrown(() => requestSigner({ apiKey: `key${chars}`, privateKey: keys.privateKeyPem })),
        'ERR_INVALID_OPTION',
      );
    });

    it('requestSigner refuses an apiKeyHeader name containing it', () => {
      expectCode(
        thrown(() => requestSigner({ apiKey: 'key', privateKey: keys.privateKeyPem, apiKeyHeader: `X-API-Key${chars}X-Injected` })),
        'ERR_INVALID_OPTION',
      );
    });

    it('portOneSigner refuses a clientKey containing it', () => {
      expectCode(
        thrown(() => portOneSigner({ clientKey: `client${chars}X-Injected: 1`, secretKey: 'portone-secret' })),
        'ERR_INVALID_OPTION',
      );
    });

    it('portOneSigner refuses an issuer containing it', () => {
      expectCode(
        thrown(() => portOneSigner({ clientKey: 'client', secretKey: 'portone-secret', issuer: `PORTONE${chars}` })),
        'ERR_INVALID_OPTION',
      );
    });

    it('twoCheckoutSigner refuses a merchantCode containing it', () => {
      expectCode(
        thrown(() => twoCheckoutSigner({ merchantCode: `MERCHANT${chars}X-Injected: 1`, secretWord: 'secret-word' })),
        'ERR_INVALID_OPTION',
      );
    });

    it('jwtSigner refuses a keyId containing it', () => {
      expectCode(
        thrown(() => jwtSigner({ algorithm: 'HS256', key: hsKey, keyId: `kid${chars}` })),
        'ERR_INVALID_OPTION',
      );
    });

    it('jwtSigner refuses a header name containing it', () => {
      expectCode(
        thrown(() => jwtSigner({ algorithm: 'HS256', key: hsKey, header: `X-Token${chars}X-Injected` })),
        'ERR_INVALID_OPTION',
      );
    });

    it('jwtSigner refuses a scheme containing it', () => {
      expectCode(
        thrown(() => jwtSigner({ algorithm: 'HS256', key: hsKey, scheme: `Bearer${chars}` })),
        'ERR_INVALID_OPTION',
      );
    });
  });

  it.each(['Bad Header', 'X:Token', '', 'Tök'])('jwtSigner refuses the header name %j, which is not an HTTP token', (header) => {
    expectCode(
      thrown(() => jwtSigner({ algorithm: 'HS256', key: hsKey, header })),
      'ERR_INVALID_OPTION',
    );
  });

  it.each(['Bad Header', 'X:Key', ''])('requestSigner refuses the apiKeyHeader name %j, which is not an HTTP token', (apiKeyHeader) => {
    expectCode(
      thrown(() => requestSigner({ apiKey: 'key', privateKey: keys.privateKeyPem, apiKeyHeader })),
      'ERR_INVALID_OPTION',
    );
  });

  it("a signer's error message never repeats the refused value", () => {
    const error = thrown(() => portOneSigner({ clientKey: `${SECRET_MARKER}\r\nX-Injected: 1`, secretKey: 'portone-secret' }));

    expectCode(error, 'ERR_INVALID_OPTION');
    expect((error as SignetError).message).not.toContain(SECRET_MARKER);
  });

  it('claims with CR LF are safe, as the token is base64url: the header that arrives is one clean token', async () => {
    const listener = await listen();
    const signer = jwtSigner({ algorithm: 'HS256', key: hsKey, claims: { sub: 'svc\r\nX-Injected: 1' } });

    await createSignedAxios(signer, { baseURL: listener.origin }).get('/claims');

    expect(listener.received).toHaveLength(1);
    const headers = listener.received[0]?.headers ?? {};
    expect(headers['x-injected']).toBeUndefined();
    const token = String(headers['authorization']).slice('Bearer '.length);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((jwt.verify(token, hsKey, { algorithms: ['HS256'] }) as jwt.JwtPayload).sub).toBe('svc\r\nX-Injected: 1');
  });
});

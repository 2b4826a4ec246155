import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { inspect } from 'node:util';
import { type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { SignetError, jwtSigner, portOneSigner, requestSigner, twoCheckoutSigner, type Signer } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { reachableLeaks, rejection, testKeys } from '@signet/test-support';

// Everything an error (or a response) exposes to a logger must be free of what authenticates the request: the
// credentials that went over the wire and the key material they were made with. Each scheme is driven into every
// way a request can end against real local servers, and each rendering a logger could produce is searched.

const keys = testKeys().rsa;
const CREDENTIAL_HEADERS = ['authorization', 'merchant-token', 'x-api-key'] as const;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A secret and a name for it that can be printed in a failure message. */
interface Secret {
  name: string;
  value: string;
}

/** The base64 lines of a PEM body: each of them is key material, wherever newlines get escaped or dropped. */
function pemLines(name: string, pem: string): Secret[] {
  return pem
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .map((value, index) => ({ name: `${name} (line ${index + 1})`, value }));
}

/** A credential header value, and its JWS signature alone (a logger that cut the token short must not show it). */
function credential(name: string, value: string): Secret[] {
  const secrets = [{ name, value }];
  const signature = /\.([\w-]{20,})$/.exec(value)?.[1];
  if (signature !== undefined) secrets.push({ name: `${name} (signature)`, value: signature });
  return secrets;
}

interface Scheme {
  name: string;
  signer: Signer;
  /** Secrets the signer was built from (key material, shared secrets, the API key). */
  material: Secret[];
}

function schemes(): Scheme[] {
  const apiKey = `ak_live_${randomBytes(12).toString('hex')}`;
  const portOneSecret = `po_secret_${randomBytes(16).toString('hex')}`;
  const secretWord = `sw_${randomBytes(16).toString('hex')}`;
  const hmacSecret = `hs256_${randomBytes(24).toString('hex')}`;
  return [
    {
      name: 'requestSigner with apiKeyHeader',
      signer: requestSigner({ apiKey, privateKey: keys.privateKeyPem, apiKeyHeader: 'X-API-Key' }),
      material: [{ name: 'apiKey', value: apiKey }, ...pemLines('private key PEM', keys.privateKeyPem)],
    },
    {
      name: 'portOneSigner',
      signer: portOneSigner({ clientKey: 'client-key-public', secretKey: portOneSecret }),
      material: [{ name: 'PortOne secretKey', value: portOneSecret }],
    },
    {
      name: 'twoCheckoutSigner',
      signer: twoCheckoutSigner({ merchantCode: 'MERCHANT1', secretWord }),
      material: [{ name: '2Checkout secretWord', value: secretWord }],
    },
    {
      name: 'jwtSigner HS256',
      signer: jwtSigner({ algorithm: 'HS256', key: hmacSecret, claims: { sub: 'svc-billing' } }),
      material: [{ name: 'HS256 secret', value: hmacSecret }],
    },
  ];
}

/** Records the credential headers the signer handed the transport, so requests that never arrive count too. */
function recording(signer: Signer, issued: Secret[]): Signer {
  return {
    async sign(request) {
      const headers = await signer.sign(request);
      for (const [name, value] of Object.entries(headers)) {
        if ((CREDENTIAL_HEADERS as readonly string[]).includes(name.toLowerCase())) issued.push(...credential(`signed ${name}`, value));
      }
      return headers;
    },
  };
}

interface CredentialServer {
  origin: string;
  /** The credential header values the server received. */
  received: Secret[];
  /** Resolves when the next request has arrived (its headers were read). */
  nextArrival(): Promise<void>;
}

/**
 * A real node:http server: `/ok` 200, `/missing` 404, `/denied` 401, `/broken` 500, `/moved` 302, `/hang` never
 * answers. It reads the credential headers of every request that reaches it.
 */
async function startCredentialServer(): Promise<CredentialServer> {
  const received: Secret[] = [];
  let waiters: (() => void)[] = [];
  const routes: Record<string, (res: ServerResponse) => void> = {
    '/ok': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
    '/missing': (res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}'),
    '/denied': (res) => res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end('{"error":"invalid_token"}'),
    '/broken': (res) => res.writeHead(500).end('{"error":"internal"}'),
    '/moved': (res) => res.writeHead(302, { location: '/ok' }).end(),
    '/hang': () => undefined,
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    for (const name of CREDENTIAL_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') received.push(...credential(`received ${name}`, value));
    }
    const arrived = waiters;
    waiters = [];
    for (const resolve of arrived) resolve();
    req.resume();
    req.on('end', () => (routes[new URL(req.url ?? '/', 'http://x').pathname] ?? routes['/missing'])?.(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    nextArrival: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
}

/** An origin on 127.0.0.1 where nothing listens: the port was just bound and released. */
async function refusedOrigin(): Promise<string> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const deep = { depth: Infinity, showHidden: true } as const;

/** Every rendering of an error a logger or an error reporter could produce. */
function errorRenderings(error: unknown): Record<string, string> {
  const e = error as {
    config?: unknown;
    request?: { _header?: unknown; getHeader?: (name: string) => unknown };
    response?: { config?: unknown; request?: unknown };
    stack?: unknown;
    toJSON?: () => unknown;
  };
  const renderings: Record<string, string> = {
    'util.inspect(error, { depth: Infinity, showHidden: true })': inspect(error, deep),
    'util.inspect(error, { depth: 3 })': inspect(error, { depth: 3 }),
    'util.inspect(error) (what console.log prints)': inspect(error),
    'JSON.stringify(error)': String(JSON.stringify(error)),
    'JSON.stringify(error.toJSON())': String(JSON.stringify(e.toJSON?.())),
    'String(error.stack)': String(e.stack),
    'util.inspect(error.config)': inspect(e.config, { depth: Infinity }),
    'util.inspect(error.request, { showHidden: true })': inspect(e.request, deep),
    'error.request._header': String(e.request?._header),
    "error.request.getHeader('authorization')": String(typeof e.request?.getHeader === 'function' ? e.request.getHeader('authorization') : undefined),
    'util.inspect(error.response.config)': inspect(e.response?.config, { depth: Infinity }),
  };
  if (e.response !== undefined && e.response.request !== e.request) {
    renderings['util.inspect(error.response.request, { showHidden: true })'] = inspect(e.response.request, deep);
  }
  return renderings;
}

function responseRenderings(response: AxiosResponse): Record<string, string> {
  const request = response.request as { _header?: unknown; getHeader?: (name: string) => unknown } | undefined;
  return {
    'util.inspect(response.request, { depth: Infinity, showHidden: true })': inspect(response.request, deep),
    'response.request._header': String(request?._header),
    "response.request.getHeader('authorization')": String(typeof request?.getHeader === 'function' ? request.getHeader('authorization') : undefined),
    'util.inspect(response.config)': inspect(response.config, { depth: Infinity }),
    'util.inspect(response, { depth: 4 })': inspect(response, { depth: 4 }),
  };
}

/** "<rendering> shows <secret>" for every secret found; empty when nothing leaks. */
function leaks(renderings: Record<string, string>, secrets: readonly Secret[]): string[] {
  const found: string[] = [];
  for (const [rendering, text] of Object.entries(renderings)) {
    for (const secret of secrets) if (text.includes(secret.value)) found.push(`${rendering} shows the ${secret.name}`);
  }
  return [...new Set(found)];
}

interface Harness {
  api: AxiosInstance;
  server: CredentialServer;
  /** Every credential and secret of this test: what was signed, what was received, the signer's material. */
  secrets(): Secret[];
}

/** How requests go out: axios's http adapter on a keep-alive agent or on one without, or its fetch adapter. */
interface Transport {
  name: string;
  adapter: 'http' | 'fetch';
  keepAlive?: boolean;
}

const transports: Transport[] = [
  { name: 'the http adapter on an agent with keepAlive: false', adapter: 'http', keepAlive: false },
  { name: 'the http adapter on a keep-alive agent', adapter: 'http', keepAlive: true },
  { name: 'the fetch adapter', adapter: 'fetch' },
];

async function harness(scheme: Scheme, transport: Transport, baseURL?: string): Promise<Harness> {
  const server = await startCredentialServer();
  const issued: Secret[] = [];
  const agent = new Agent({ keepAlive: transport.keepAlive ?? false });
  cleanups.push(() => agent.destroy());
  const api = createSignedAxios(recording(scheme.signer, issued), {
    baseURL: baseURL ?? server.origin,
    adapter: transport.adapter,
    ...(transport.adapter === 'http' ? { httpAgent: agent } : {}),
  });
  return { api, server, secrets: () => [...issued, ...server.received, ...scheme.material] };
}

interface FailureCase {
  name: string;
  /** Sends the request and returns how it failed; `refused` points baseURL at a closed port. */
  provoke(h: Harness): Promise<unknown>;
  refused?: boolean;
  expected: { code?: string; status?: number; signet?: true };
}

const failures: FailureCase[] = [
  { name: 'a 404', provoke: (h) => rejection(h.api.get('/missing')), expected: { status: 404, code: 'ERR_BAD_REQUEST' } },
  { name: 'a 401', provoke: (h) => rejection(h.api.post('/denied', { amount: 100 })), expected: { status: 401, code: 'ERR_BAD_REQUEST' } },
  { name: 'a 500', provoke: (h) => rejection(h.api.put('/broken', 'raw body')), expected: { status: 500, code: 'ERR_BAD_RESPONSE' } },
  { name: 'a timeout', provoke: (h) => rejection(h.api.get('/hang', { timeout: 150 })), expected: {} },
  { name: 'a refused connection', refused: true, provoke: (h) => rejection(h.api.get('/ok')), expected: {} },
  {
    name: 'a cancellation mid-flight',
    provoke: async (h) => {
      const controller = new AbortController();
      const arrived = h.server.nextArrival();
      const pending = rejection(h.api.post('/hang', { amount: 1 }, { signal: controller.signal }));
      await arrived;
      controller.abort();
      return pending;
    },
    expected: { code: 'ERR_CANCELED' },
  },
  { name: 'a refused redirect', provoke: (h) => rejection(h.api.get('/moved')), expected: { signet: true } },
];

describe.each(transports)('with $name', (adapter) => {
  describe.each(schemes())('$name', (scheme) => {
    it.each(failures)('an error from $name exposes no credential or key material in any rendering', async (failure) => {
      const base = failure.refused ? await refusedOrigin() : undefined;
      const h = await harness(scheme, adapter, base);

      const error = await failure.provoke(h);

      if (failure.expected.signet) {
        expect(error).toBeInstanceOf(SignetError);
        expect((error as SignetError).code).toBe('ERR_REDIRECT_REFUSED');
      } else {
        expect(isAxiosError(error)).toBe(true);
        if (!isAxiosError(error)) return;
        if (failure.expected.status !== undefined) expect(error.response?.status).toBe(failure.expected.status);
        if (failure.expected.code !== undefined) expect(error.code).toBe(failure.expected.code);
        if (failure.name === 'a timeout') expect(['ECONNABORTED', 'ETIMEDOUT']).toContain(error.code);
        if (failure.refused) expect(['ECONNREFUSED', 'ERR_NETWORK']).toContain(error.code);
      }
      const secrets = h.secrets();
      // The credentials were really minted (and, but for the refused connection, really sent).
      expect(secrets.filter((secret) => secret.name.startsWith('signed ')).length).toBeGreaterThan(0);
      if (!failure.refused) expect(secrets.filter((secret) => secret.name.startsWith('received ')).length).toBeGreaterThan(0);
      expect(leaks(errorRenderings(error), secrets)).toEqual([]);
      expect(reachableLeaks(error, secrets)).toEqual([]);
    });

    it('a successful response exposes no credential or key material through its request or config', async () => {
      const h = await harness(scheme, adapter);

      const response = await h.api.post('/ok', { amount: 100 });

      expect(response.status).toBe(200);
      expect(h.server.received.length).toBeGreaterThan(0);
      expect(leaks(responseRenderings(response), h.secrets())).toEqual([]);
      expect(reachableLeaks(response, h.secrets())).toEqual([]);
    });
  });
});

describe('a transparent re-signed retry after a clock-skew 401', () => {
  it.each(['http', 'fetch'] as const)('leaves neither attempt’s token in the error or the response (%s adapter)', async (adapter) => {
    // Always 401, with a clock 2 minutes ahead: clockSkew 'auto' signs again once, and both tokens are then stale.
    const seen: Secret[] = [];
    const server = createServer((req, res) => {
      seen.push(...credential('received authorization', String(req.headers['authorization'])));
      res.setHeader('Date', new Date(Date.now() + 120_000).toUTCString());
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"ERR_TOKEN_EXPIRED"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const [scheme] = schemes() as [Scheme];
    const api = createSignedAxios(scheme.signer, { baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, adapter }, { clockSkew: 'auto' });

    const error = await rejection(api.get('/stale'));

    expect(isAxiosError(error) && error.response?.status).toBe(401);
    expect(seen.filter((secret) => !secret.name.endsWith('(signature)'))).toHaveLength(2);
    expect(leaks(errorRenderings(error), [...seen, ...scheme.material])).toEqual([]);
    expect(reachableLeaks(error, [...seen, ...scheme.material])).toEqual([]);
  });
});

describe('SignetErrors thrown while building a signer', () => {
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const passphrase = `pass-${randomBytes(8).toString('hex')}`;
  const encrypted = keys.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
  const ecPem = testKeys().p384.privateKeyPem;
  const shortSecret = 'short-hmac-secret-0123456789';
  // The first half of the body only: still PEM, no longer a key.
  const pemRows = keys.privateKeyPem.trim().split('\n');
  const corrupt = [...pemRows.slice(0, 12), pemRows.at(-1)].join('\n');
  const apiKey = `ak_live_${randomBytes(12).toString('hex')}`;

  const cases: { name: string; build: () => unknown; code: string; secrets: Secret[] }[] = [
    {
      name: 'a 1024-bit RSA key',
      build: () => requestSigner({ apiKey, privateKey: weak }),
      code: 'ERR_KEY_TOO_SMALL',
      secrets: [...pemLines('1024-bit key PEM', weak), { name: 'apiKey', value: apiKey }],
    },
    {
      name: 'an encrypted key without its passphrase',
      build: () => requestSigner({ apiKey, privateKey: encrypted }),
      code: 'ERR_KEY_PASSPHRASE',
      secrets: pemLines('encrypted PEM', encrypted),
    },
    {
      name: 'an encrypted key with a wrong passphrase',
      build: () => requestSigner({ apiKey, privateKey: encrypted, passphrase: `${passphrase}-wrong` }),
      code: 'ERR_KEY_PASSPHRASE',
      secrets: [...pemLines('encrypted PEM', encrypted), { name: 'wrong passphrase', value: `${passphrase}-wrong` }],
    },
    {
      name: 'a corrupt PEM key',
      build: () => requestSigner({ apiKey, privateKey: corrupt }),
      code: 'ERR_KEY_INVALID',
      secrets: pemLines('corrupt PEM', corrupt),
    },
    {
      name: 'an EC P-384 key for ES256',
      build: () => jwtSigner({ algorithm: 'ES256', key: ecPem }),
      code: 'ERR_KEY_TYPE',
      secrets: pemLines('P-384 PEM', ecPem),
    },
    {
      name: 'an RSA key for ES256',
      build: () => jwtSigner({ algorithm: 'ES256', key: keys.privateKeyPem }),
      code: 'ERR_KEY_TYPE',
      secrets: pemLines('RSA PEM', keys.privateKeyPem),
    },
    {
      name: 'a short HS256 secret',
      build: () => jwtSigner({ algorithm: 'HS256', key: shortSecret }),
      code: 'ERR_KEY_TOO_SMALL',
      secrets: [{ name: 'short HMAC secret', value: shortSecret }],
    },
    {
      name: 'a PEM private key as the PortOne secret',
      build: () => portOneSigner({ clientKey: 'client-key-public', secretKey: keys.privateKeyPem }),
      code: 'ERR_KEY_TYPE',
      secrets: pemLines('RSA PEM', keys.privateKeyPem),
    },
    {
      name: 'a 2Checkout secret word with an invalid expiresInSeconds',
      build: () => twoCheckoutSigner({ merchantCode: 'MERCHANT1', secretWord: shortSecret, expiresInSeconds: -1 }),
      code: 'ERR_INVALID_OPTION',
      secrets: [{ name: 'secret word', value: shortSecret }],
    },
    {
      name: 'an API key with a line break',
      build: () => requestSigner({ apiKey: `${apiKey}\r\n`, privateKey: keys.privateKeyPem }),
      code: 'ERR_INVALID_OPTION',
      secrets: [{ name: 'apiKey', value: apiKey }, ...pemLines('RSA PEM', keys.privateKeyPem)],
    },
  ];

  it.each(cases)('the error for $name shows no secret in any rendering', ({ build, code, secrets }) => {
    let error: unknown;
    try {
      build();
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(SignetError);
    expect((error as SignetError).code).toBe(code);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'SignetError', code, message: (error as SignetError).message });
    expect(leaks(errorRenderings(error), secrets)).toEqual([]);
  });
});

import { Buffer } from 'node:buffer';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { expect } from 'vitest';
import { jwtSigner, portOneSigner, requestSigner, twoCheckoutSigner, type Signer } from '@signet/core';
import { testKeys } from './keys.js';
import { expectSignedForWire, type Received } from './wire.js';

// Shared by the hardening suites: one signer per Signet scheme, each able to check its own credentials on the wire,
// and a second listener ("another host") that must never see any of them.

/** Every header a Signet scheme puts a credential in, lower case as node:http reports them. */
export const CREDENTIAL_HEADERS = ['authorization', 'x-portone-client-key', 'merchant-token', 'x-api-key'] as const;

export interface Scheme {
  name: string;
  signer: Signer;
  /** Fails unless `received` carries this scheme's credentials, valid for it. */
  expectSigned(received: Received): void;
}

function bearer(received: Received): string {
  const authorization = String(received.headers['authorization']);
  expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  return authorization.slice('Bearer '.length);
}

/** The four schemes, with credentials named after `suite` so suites never share them. */
export function schemesFor(suite: string): Scheme[] {
  const keys = testKeys().rsa;
  const apiKey = `key-hardening-${suite}`;
  const clientKey = `portone-client-${suite}`;
  const portOneSecret = `portone-secret-key-for-${suite}-tests`;
  const merchant = `MERCHANT_${suite.toUpperCase()}`;
  const secretWord = `two-checkout-secret-word-${suite}`;
  const jwtSecret = Buffer.from(`jwt-secret-for-the-${suite}-suite`.padEnd(32, '.'));
  return [
    {
      name: 'requestSigner (RS256, with X-API-Key)',
      signer: requestSigner({ apiKey, privateKey: keys.privateKeyPem, apiKeyHeader: 'X-API-Key' }),
      expectSigned(received) {
        expectSignedForWire(received, { publicKey: keys.publicKey, apiKey });
        expect(received.headers['x-api-key']).toBe(apiKey);
      },
    },
    {
      name: 'portOneSigner',
      signer: portOneSigner({ clientKey, secretKey: portOneSecret }),
      expectSigned(received) {
        const claims = jwt.verify(bearer(received), portOneSecret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
        expect(claims.sub).toBe(clientKey);
        expect(received.headers['x-portone-client-key']).toBe(clientKey);
      },
    },
    {
      name: 'twoCheckoutSigner',
      signer: twoCheckoutSigner({ merchantCode: merchant, secretWord }),
      expectSigned(received) {
        const claims = jwt.verify(String(received.headers['merchant-token']), secretWord, { algorithms: ['HS512'] }) as jwt.JwtPayload;
        expect(claims.sub).toBe(merchant);
      },
    },
    {
      name: 'jwtSigner (HS256)',
      signer: jwtSigner({ algorithm: 'HS256', key: jwtSecret, claims: { sub: `svc-${suite}` } }),
      expectSigned(received) {
        const claims = jwt.verify(bearer(received), jwtSecret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
        expect(claims.sub).toBe(`svc-${suite}`);
      },
    },
  ];
}

/** A listener that must never see a credential: it records requests and counts TCP connections. */
export interface OtherHost {
  origin: string;
  port: number;
  received: Received[];
  connections: number;
  close(): Promise<void>;
}

export async function startOtherHost(): Promise<OtherHost> {
  const host: OtherHost = { origin: '', port: 0, received: [], connections: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      host.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"other":true}');
    });
  });
  server.on('connection', () => (host.connections += 1));
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host.port = (server.address() as AddressInfo).port;
  host.origin = `http://127.0.0.1:${host.port}`;
  host.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return host;
}

/** How many credential headers, of any scheme, arrived in these requests. */
export function credentialsIn(received: readonly Received[]): number {
  return received.reduce((count, entry) => count + CREDENTIAL_HEADERS.filter((name) => entry.headers[name] !== undefined).length, 0);
}

/** The host saw no credential, no request and (when it counts them) no connection. */
export function expectUntouched(host: { received: Received[]; connections?: number }): void {
  expect(credentialsIn(host.received), 'credential headers received').toBe(0);
  expect(host.received, 'requests received').toHaveLength(0);
  if (host.connections !== undefined) expect(host.connections, 'connections accepted').toBe(0);
}

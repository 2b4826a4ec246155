import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpbis } from 'http-message-signatures';
import { HTTP_SIGNATURE_ALGORITHMS, httpMessageSigner } from '@signet/core';
import { createSignedAxios } from '@signet/axios';
import { createSignedFetch } from '@signet/fetch';
import { httpMessageVerifier } from '@signet/verify';
import { binaryCases, stringCases } from '@signet/test-support';
import { keyPairs, packageKeyLookup } from './support/keys.js';

// Over real node:http on 127.0.0.1: the server verifies every request with the http-message-signatures package
// and checks Content-Digest against the bytes it read with node:crypto, then with Signet's own verifier; it answers
// what each said. Signet signs through createSignedAxios and createSignedFetch, for the adapters' body matrix.

interface Verdict {
  packageVerified: boolean | null;
  digestMatches: boolean;
  signetVerified: string;
  covered: string;
  bytes: number;
}

let origin = '';
let algorithm: (typeof HTTP_SIGNATURE_ALGORITHMS)[number] = 'ed25519';
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    void (async () => {
      const bytes = Buffer.concat(chunks);
      const headers = req.headers as Record<string, string>;
      const packageVerified = await httpbis
        .verifyMessage({ keyLookup: packageKeyLookup(algorithm), requiredFields: ['@method', '@authority', '@path', '@query'] }, { method: req.method ?? '', url: origin + (req.url ?? ''), headers })
        .catch(() => false);
      const digest = `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
      const digestMatches = bytes.length === 0 ? headers['content-digest'] === undefined : headers['content-digest'] === digest;
      const signet = httpMessageVerifier({ keys: { k: { algorithm, key: keyPairs[algorithm].verifying } } });
      const signetVerified = await signet.verify({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: bytes }).then(
        () => 'ok',
        (error: { code?: string }) => error.code ?? 'error',
      );
      const verdict: Verdict = { packageVerified, digestMatches, signetVerified, covered: headers['signature-input'] ?? '', bytes: bytes.length };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(verdict));
    })();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const signer = () => httpMessageSigner({ algorithm, key: keyPairs[algorithm].signing, keyId: 'k' });
const bodies: Array<{ title: string; body: () => unknown; bytes?: number }> = [
  ...binaryCases.map((c) => ({ title: c.title, body: c.body, bytes: c.bytes.length })),
  ...stringCases.map((c) => ({ title: c.title, body: () => c.body, bytes: Buffer.byteLength(c.body) })),
  { title: 'sends a plain object as JSON', body: () => ({ amount: 1250, note: 'café' }) },
  { title: 'sends URLSearchParams as a form', body: () => new URLSearchParams({ a: '1 2', b: 'ü&=' }) },
  {
    title: 'sends FormData as multipart with its boundary',
    body: () => {
      const form = new FormData();
      form.append('field', 'value');
      form.append('file', new Blob([Uint8Array.from([0, 255])]), 'f.bin');
      return form;
    },
  },
];
const urls = ['/v1/payments', '/v1/items?q=a%20b&x=1&x=2', '/v1/caf%C3%A9/%E2%9C%93?emoji=%F0%9F%9A%80', '/things:batchGet?filter=a%2Fb', '/empty-query?'];

const expectVerified = (verdict: Verdict): void => {
  expect(verdict).toMatchObject({ packageVerified: true, digestMatches: true, signetVerified: 'ok' });
};

describe.each([
  { adapter: 'createSignedAxios', send: async (url: string, method: string, data?: unknown): Promise<Verdict> => (await createSignedAxios(signer(), { baseURL: origin }).request({ url, method, data })).data as Verdict },
  {
    adapter: 'createSignedFetch',
    send: async (url: string, method: string, data?: unknown): Promise<Verdict> =>
      (await (await createSignedFetch(signer(), { baseURL: origin })(url, { method, ...(data === undefined ? {} : { body: data as BodyInit }) })).json()) as Verdict,
  },
])('$adapter over node:http, verified by http-message-signatures and by Signet', ({ send }) => {
  for (const { title, body, bytes } of bodies) {
    it(title, async () => {
      algorithm = 'ed25519';
      const verdict = await send('/v1/payments?dryRun=1', 'POST', body());
      expectVerified(verdict);
      if (bytes !== undefined) expect(verdict.bytes).toBe(bytes);
      expect(verdict.covered).toContain('"content-digest"');
    });
  }

  for (const url of urls) {
    it(`GET ${url} covers method, authority, path and query, and no digest`, async () => {
      algorithm = 'ed25519';
      const verdict = await send(url, 'GET');
      expectVerified(verdict);
      expect(verdict.covered).toMatch(/^sig1=\("@method" "@authority" "@path" "@query"\);created=\d+;keyid="k"$/);
    });
  }

  it.each(HTTP_SIGNATURE_ALGORITHMS)('POST signed with %s', async (each) => {
    algorithm = each;
    expectVerified(await send('/v1/payments?dryRun=1', 'POST', { amount: 1 }));
  });
});

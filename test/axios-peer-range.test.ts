import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type * as Axios from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestSigner } from '@signet/core';
import { expectSignedForWire, type RecordingServer, rejection, startServer, testKeys } from '@signet/test-support';

// @signet/axios declares axios as a peer: users bring their own. Both ends of the declared range are installed
// (`axios-lowest` is an npm alias of the floor) and @signet/axios is loaded against each, so a range that claims
// more than CI tests fails here. .ci/run also runs the whole @signet/axios suite against the floor.

const peerRange = (JSON.parse(readFileSync(new URL('../packages/axios/package.json', import.meta.url), 'utf8')) as { peerDependencies: { axios: string } }).peerDependencies.axios;
const rootDevDependencies = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;

const apiKey = 'key-peer-range';
const keys = testKeys().rsa;

const servers: RecordingServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()?.close();
  vi.doUnmock('axios');
  vi.resetModules();
});

/** @signet/axios (its TypeScript sources) and axios itself, evaluated afresh with `axios` resolving to `installed`. */
async function loadWith(installed: 'axios' | 'axios-lowest') {
  vi.resetModules();
  const axios = (await import(installed)) as typeof Axios;
  vi.doMock('axios', () => axios);
  const { createSignedAxios } = await import('@signet/axios');
  return { version: axios.default.VERSION, createSignedAxios };
}

describe('the axios peer range', () => {
  it('starts at the version installed as axios-lowest', async () => {
    expect(peerRange).toMatch(/^\^1\.\d+\.\d+$/);
    expect(rootDevDependencies['axios-lowest']).toBe(`npm:axios@${peerRange.slice(1)}`);
    expect((await loadWith('axios-lowest')).version).toBe(peerRange.slice(1));
  });
});

describe.each(['axios-lowest', 'axios'] as const)('@signet/axios with %s', (installed) => {
  it('signs a JSON POST and a GET with params over what a node:http server received', async () => {
    const { version, createSignedAxios } = await loadWith(installed);
    expect(Number(version.split('.')[1])).toBeGreaterThanOrEqual(Number(peerRange.split('.')[1]));
    const server = await startServer();
    servers.push(server);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: `${server.origin}/v1` });

    await api.post('/payments?dryRun=1', { amount: 1250, currency: 'EUR', note: 'café' });
    await api.get('/payments', { params: { status: 'captured', q: 'a b&c' } });

    const [post, get] = server.received;
    expect(post?.method).toBe('POST');
    expect(post?.url).toBe('/v1/payments?dryRun=1');
    expect(post?.body.toString('utf8')).toBe('{"amount":1250,"currency":"EUR","note":"café"}');
    expect(get?.method).toBe('GET');
    expect(get?.url).toBe('/v1/payments?status=captured&q=a+b%26c');
    expect(get?.body.length).toBe(0);
    // jsonwebtoken verifies each token; its uri and bodyHash must be the request line and the bytes received.
    for (const received of [post, get]) expectSignedForWire(received as NonNullable<typeof received>, { publicKey: keys.publicKey, apiKey });
  });

  // Before 1.18, axios's fetch adapter wrapped its own HTTP-status error in a new one whose `cause` kept the signed
  // config, so the token showed in a logged error: the range starts where this holds.
  it('keeps the token out of a logged error from the fetch adapter', async () => {
    const { createSignedAxios } = await loadWith(installed);
    const server = await startServer(() => ({ status: 401, body: { error: 'denied' } }));
    servers.push(server);
    const api = createSignedAxios(requestSigner({ apiKey, privateKey: keys.privateKeyPem }), { baseURL: server.origin, adapter: 'fetch' });

    const error = (await rejection(api.post('/denied', { amount: 1 }))) as { response?: { status?: number } };

    expect(error.response?.status).toBe(401);
    const token = String(server.received[0]?.headers['authorization']).slice('Bearer '.length);
    expect(token.split('.')).toHaveLength(3);
    const signature = token.split('.')[2] as string;
    expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(signature);
  });
});

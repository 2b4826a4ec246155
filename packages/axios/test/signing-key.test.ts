import { Buffer } from 'node:buffer';
import { type KeyObject, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignedAxios } from '@signet/axios';
import { type JwsAlgorithm, SignetError, type SigningKey, jwtSigner, requestSigner } from '@signet/core';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** A key "held elsewhere": signs asynchronously with node:crypto, in the form a backend chooses. */
function remoteKey(algorithm: JwsAlgorithm, key: KeyObject, form: 'p1363' | 'der' = 'p1363', hooks: { onSign?: (signal?: AbortSignal) => Promise<void> } = {}): SigningKey & { calls: number } {
  const out = {
    algorithm,
    calls: 0,
    async sign(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
      out.calls += 1;
      await hooks.onSign?.(options?.signal);
      const hash = algorithm.endsWith('384') ? 'sha384' : 'sha256';
      return algorithm.startsWith('ES') ? cryptoSign(hash, data, { key, dsaEncoding: form === 'der' ? 'der' : 'ieee-p1363' }) : cryptoSign(hash, data, key);
    },
  };
  return out;
}

let server: Server;
let origin: string;
const received: Array<{ url: string; authorization: string | undefined }> = [];
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ url: req.url ?? '', authorization: req.headers.authorization });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function rejection(promise: Promise<unknown>): Promise<SignetError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SignetError);
  return error as SignetError;
}

describe('a key held outside the process (SigningKey)', () => {
  it('requestSigner signs RS256 with it; the server receives a token jsonwebtoken verifies for the exact request', async () => {
    const key = remoteKey('RS256', rsa.privateKey);
    const client = createSignedAxios(requestSigner({ apiKey: 'ak_hsm', privateKey: key, nonce: true }), { baseURL: origin });
    received.length = 0;
    await client.post('/v1/payments?x=1', { amount: 1 });
    const [{ url, authorization }] = received as [(typeof received)[number]];
    const claims = jwt.verify((authorization as string).slice(7), rsa.publicKey, { algorithms: ['RS256'] }) as Record<string, unknown>;
    expect(claims).toMatchObject({ uri: url, sub: 'ak_hsm' });
    expect(key.calls).toBe(1);
  });

  it('an ECDSA key that answers in DER gets JWS-form, low-S signatures that jsonwebtoken verifies', async () => {
    const signer = jwtSigner({ algorithm: 'ES256', key: remoteKey('ES256', p256.privateKey, 'der') });
    for (let i = 0; i < 40; i++) {
      const token = (await signer.sign({ method: 'GET', url: '/' }))['Authorization']?.slice(7) as string;
      const signature = Buffer.from(token.split('.')[2] as string, 'base64url');
      expect(signature).toHaveLength(64);
      expect(BigInt(`0x${signature.subarray(32).toString('hex')}`) <= P256_N >> 1n).toBe(true);
      expect(() => jwt.verify(token, p256.publicKey, { algorithms: ['ES256'] })).not.toThrow();
    }
  });

  it('a key for another algorithm is refused at construction', () => {
    expect(() => jwtSigner({ algorithm: 'RS256', key: remoteKey('ES256', p256.privateKey) })).toThrow(expect.objectContaining({ code: 'ERR_KEY_TYPE' }));
    expect(() => requestSigner({ apiKey: 'ak', privateKey: remoteKey('ES256', p256.privateKey) })).toThrow(expect.objectContaining({ code: 'ERR_KEY_TYPE' }));
  });

  it('maxConcurrentSigns caps what reaches the backend; the rest wait their turn and all complete', async () => {
    let inFlight = 0;
    let peak = 0;
    const key = remoteKey('RS256', rsa.privateKey, 'p1363', {
      onSign: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
      },
    });
    const signer = jwtSigner({ algorithm: 'RS256', key, maxConcurrentSigns: 4 });
    const tokens = await Promise.all(Array.from({ length: 24 }, () => signer.sign({ method: 'GET', url: '/' })));
    expect(peak).toBe(4);
    expect(key.calls).toBe(24);
    for (const headers of tokens) expect(() => jwt.verify((headers['Authorization'] as string).slice(7), rsa.publicKey)).not.toThrow();
  });

  it('a backend that does not answer within signTimeoutMs fails the request, which is never sent', async () => {
    const key = remoteKey('RS256', rsa.privateKey, 'p1363', { onSign: () => new Promise(() => undefined) });
    const client = createSignedAxios(requestSigner({ apiKey: 'ak', privateKey: key, signTimeoutMs: 30 }), { baseURL: origin });
    received.length = 0;
    const error = await rejection(client.get('/v1/slow'));
    expect(error.code).toBe('ERR_SIGNING_FAILED');
    expect(error.message).toMatch(/signTimeoutMs/);
    expect(received).toEqual([]);
  });

  it('aborting the request cancels its signature: the backend sees the abort and nothing is sent', async () => {
    let seen: AbortSignal | undefined;
    const key = remoteKey('RS256', rsa.privateKey, 'p1363', {
      onSign: (signal) => {
        seen = signal;
        return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('cancelled'))));
      },
    });
    const client = createSignedAxios(requestSigner({ apiKey: 'ak', privateKey: key }), { baseURL: origin });
    const controller = new AbortController();
    received.length = 0;
    const pending = client.get('/v1/x', { signal: controller.signal }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await pending;
    expect(seen?.aborted).toBe(true);
    expect(received).toEqual([]);
  });

  it('deadlines hold for each signature when fast and hung ones are mixed: the hung time out, the others sign', async () => {
    let call = 0;
    const timedOut: boolean[] = [];
    const key = remoteKey('RS256', rsa.privateKey, 'p1363', {
      onSign: (signal) => {
        const index = call++;
        // Every third call never answers on its own; the rest answer after a delay that varies by call.
        if (index % 3 === 0) return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => (timedOut.push((signal.reason as Error).name === 'TimeoutError'), reject(new Error('gone')))));
        return new Promise((resolve) => setTimeout(resolve, (index % 5) * 3));
      },
    });
    const signer = jwtSigner({ algorithm: 'RS256', key, signTimeoutMs: 60 });
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        new Promise((resolve) => setTimeout(resolve, i)).then(() =>
          signer.sign({ method: 'GET', url: '/' }).then(
            () => 'signed',
            (error: unknown) => (error as SignetError).code,
          ),
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'signed')).toHaveLength(20);
    expect(outcomes.filter((outcome) => outcome === 'ERR_SIGNING_FAILED')).toHaveLength(10);
    expect(timedOut).toEqual(Array.from({ length: 10 }, () => true));
  });

  it('a request aborted while it waits for its turn is refused, and its turn goes to the next', async () => {
    let release: () => void = () => undefined;
    const key = remoteKey('RS256', rsa.privateKey, 'p1363', { onSign: () => (key.calls === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()) });
    const signer = jwtSigner({ algorithm: 'RS256', key, maxConcurrentSigns: 1 });
    const first = signer.sign({ method: 'GET', url: '/' });
    const controller = new AbortController();
    const second = signer.sign({ method: 'GET', url: '/', signal: controller.signal });
    const third = signer.sign({ method: 'GET', url: '/' });
    controller.abort();
    expect((await rejection(second)).code).toBe('ERR_SIGNING_FAILED');
    release();
    await expect(first).resolves.toHaveProperty('Authorization');
    await expect(third).resolves.toHaveProperty('Authorization');
    expect(key.calls).toBe(2);
  });

  it('a backend that reads its signal only after the deadline sees it aborted', async () => {
    let late: AbortSignal | undefined;
    const key: SigningKey = {
      algorithm: 'RS256',
      sign: (_data, options) =>
        new Promise((_resolve, reject) =>
          setTimeout(() => {
            late = options?.signal;
            reject(new Error('late'));
          }, 60),
        ),
    };
    const error = await rejection(jwtSigner({ algorithm: 'RS256', key, signTimeoutMs: 20 }).sign({ method: 'GET', url: '/' }));
    expect(error.message).toMatch(/signTimeoutMs/);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(late?.aborted).toBe(true);
  });

  it('no timer outlives the signatures: a process that is done signing can exit', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const signer = jwtSigner({ algorithm: 'RS256', key: remoteKey('RS256', rsa.privateKey), signTimeoutMs: 600_000 });
    await Promise.all(Array.from({ length: 16 }, () => signer.sign({ method: 'GET', url: '/' })));
    expect(timers()).toBe(before);
  });

  it('a backend failure is ERR_SIGNING_FAILED whose cause keeps name, message and code only, never what the error carried', async () => {
    const failing: SigningKey = {
      algorithm: 'RS256',
      sign: () =>
        Promise.reject(
          Object.assign(new Error('AccessDeniedException: not allowed'), {
            name: 'AccessDeniedException',
            code: 'AccessDenied',
            $response: { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIASECRETSECRET' } },
          }),
        ),
    };
    const error = await rejection(jwtSigner({ algorithm: 'RS256', key: failing }).sign({ method: 'GET', url: '/' }));
    expect(error.code).toBe('ERR_SIGNING_FAILED');
    expect(error.cause).toMatchObject({ name: 'AccessDeniedException', message: 'AccessDeniedException: not allowed', code: 'AccessDenied' });
    expect(inspect(error, { depth: Infinity, showHidden: true }) + JSON.stringify(error)).not.toContain('AKIASECRETSECRET');
  });

  it.each([
    ['a string', 'not bytes'],
    ['empty bytes', new Uint8Array(0)],
    ['malformed DER', Buffer.from('3006020100020100ff', 'hex')],
    ['a DER integer longer than the curve', Buffer.concat([Buffer.from('3046022100', 'hex'), Buffer.alloc(32, 1), Buffer.from('022100', 'hex'), Buffer.alloc(32, 1)])],
  ])('a backend that returns %s is ERR_SIGNING_FAILED', async (_name, value) => {
    const odd = { algorithm: 'ES256', sign: () => Promise.resolve(value) } as unknown as SigningKey;
    const error = await rejection(jwtSigner({ algorithm: 'ES256', key: odd }).sign({ method: 'GET', url: '/' }));
    expect(error.code).toBe('ERR_SIGNING_FAILED');
  });

  it('maxConcurrentSigns and signTimeoutMs are checked at construction', () => {
    for (const bad of [0, -1, 1.5, '4']) {
      expect(() => jwtSigner({ algorithm: 'RS256', key: rsa.privateKey, maxConcurrentSigns: bad as number })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
      expect(() => jwtSigner({ algorithm: 'RS256', key: rsa.privateKey, signTimeoutMs: bad as number })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }));
    }
  });
});

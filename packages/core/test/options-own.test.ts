import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { jwtSigner, portOneSigner, requestSigner, twoCheckoutSigner, type Signer } from '@signet/core';
import { rejectedSignetError, thrownSignetError } from './helpers.js';

// Prototype pollution (a vulnerable dependency running `obj[a][b] = c` on user input) puts properties on
// Object.prototype that every plain object then appears to have. An option the caller did not give must keep its
// default, whatever the prototype holds: otherwise a polluted `nonce`, `clock` or `apiKeyHeader` changes every token.

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const secret = randomBytes(64).toString('hex');
const CLOCK = (): number => 1_700_000_000_000;
const polluted = new Set<string>();

/** Sets `Object.prototype[name]`; `afterEach` removes it, so no other test ever sees it. */
function pollute(name: string, value: unknown): void {
  polluted.add(name);
  Object.defineProperty(Object.prototype, name, { value, configurable: true, enumerable: false, writable: true });
}

afterEach(() => {
  for (const name of polluted) delete (Object.prototype as Record<string, unknown>)[name];
  polluted.clear();
});

interface EntryPoint {
  make(): Signer;
  /** Option name → a value that, inherited, would change the token or the headers. */
  pollutions: Record<string, unknown>;
  /** A required option, and the options without it: inherited, it must not stand in for the missing one. */
  required: [string, () => Signer];
}

const entryPoints: Record<string, EntryPoint> = {
  requestSigner: {
    make: () => requestSigner({ apiKey: 'ak_own', privateKey, clock: CLOCK }),
    pollutions: {
      expiresInSeconds: 5,
      emptyBody: 'polluted',
      nonce: true,
      apiKeyHeader: 'X-Leaked-Key',
      clockOffsetSeconds: 3600,
      offload: 'polluted',
      passphrase: 42,
    },
    required: ['apiKey', () => requestSigner({ privateKey, clock: CLOCK } as never)],
  },
  portOneSigner: {
    make: () => portOneSigner({ clientKey: 'ck_own', secretKey: secret, clock: CLOCK }),
    pollutions: { expiresInSeconds: 5, issuer: 'EVIL', clockOffsetSeconds: 3600, reuseWithinSeconds: 'polluted' },
    required: ['clientKey', () => portOneSigner({ secretKey: secret, clock: CLOCK } as never)],
  },
  twoCheckoutSigner: {
    make: () => twoCheckoutSigner({ merchantCode: 'mc_own', secretWord: secret, clock: CLOCK }),
    pollutions: { expiresInSeconds: false, clockOffsetSeconds: 3600, reuseWithinSeconds: 'polluted' },
    required: ['secretWord', () => twoCheckoutSigner({ merchantCode: 'mc_own', clock: CLOCK } as never)],
  },
  jwtSigner: {
    make: () => jwtSigner({ algorithm: 'HS256', key: secret, clock: CLOCK }),
    pollutions: {
      claims: { admin: true },
      expiresInSeconds: 5,
      issuedAt: false,
      header: 'X-Polluted',
      scheme: 'Polluted',
      keyId: 'polluted-kid',
      clockOffsetSeconds: 3600,
      reuseWithinSeconds: 'polluted',
      offload: 'polluted',
    },
    required: ['algorithm', () => jwtSigner({ key: secret, clock: CLOCK } as never)],
  },
};

const request = { method: 'POST', url: '/v1/own?x=1' };

describe.each(Object.entries(entryPoints))('%s reads its options as own properties only', (_fn, entry) => {
  it.each(Object.entries(entry.pollutions))('an inherited %s changes nothing: the same headers, byte for byte', async (name, value) => {
    const clean = await entry.make().sign(request);
    pollute(name, value);
    const headers = await entry.make().sign(request);
    expect(headers).toEqual(clean);
  });

  it('an inherited required option does not stand in for a missing one', () => {
    const [name, make] = entry.required;
    pollute(name, name === 'algorithm' ? 'HS256' : name === 'secretWord' ? secret : 'polluted');
    thrownSignetError(make, 'ERR_INVALID_OPTION');
  });
});

describe('sign() reads the request as own properties only', () => {
  const signers: Array<[string, () => Signer]> = Object.entries(entryPoints).map(([fn, entry]) => [fn, entry.make]);

  it.each(signers)('%s: an inherited clockOffsetSeconds does not shift iat', async (_fn, make) => {
    const clean = await make().sign(request);
    pollute('clockOffsetSeconds', 3600);
    expect(await make().sign(request)).toEqual(clean);
  });

  it('requestSigner: an inherited body is not hashed for a request without one', async () => {
    const clean = await entryPoints['requestSigner']!.make().sign(request);
    pollute('body', new TextEncoder().encode('polluted'));
    expect(await entryPoints['requestSigner']!.make().sign(request)).toEqual(clean);
  });

  it('requestSigner: an inherited url is not signed for a request without one', async () => {
    pollute('url', '/polluted');
    await rejectedSignetError(entryPoints['requestSigner']!.make().sign({ method: 'GET' } as never), 'ERR_INVALID_REQUEST');
  });
});

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Signer } from '@signet/core';
import { createSignedFetch } from '@signet/fetch';
import { reachableLeaks, startServer } from '@signet/test-support';
import { closedOrigin, rejection, signer, startOtherListener } from './support/wires.js';

// Whatever a signed request ends in, the error a caller logs must not carry the credentials it was sent with.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A signer whose credentials are known, secret-looking values; counts its calls. */
function secretSigner(): Signer & { secrets: string[]; calls: number } {
  const token = `sk_live_${randomBytes(24).toString('hex')}`;
  const apiSecret = `as_${randomBytes(16).toString('hex')}`;
  const fixed = {
    secrets: [token, apiSecret],
    calls: 0,
    async sign() {
      fixed.calls += 1;
      return { Authorization: `Bearer ${token}`, 'X-Api-Secret': apiSecret };
    },
  };
  return fixed;
}

/** Wraps the real requestSigner and keeps every token it issued, and each token's signature alone. */
function recordingSigner(): Signer & { secrets: string[] } {
  const secrets: string[] = [];
  return {
    secrets,
    async sign(request) {
      const headers = await signer.sign(request);
      const token = String(headers['Authorization']).slice('Bearer '.length);
      secrets.push(token, token.split('.')[2] ?? token);
      return headers;
    },
  };
}

/** Every rendering of an error a logger or an error reporter could produce. */
function renderings(error: unknown): Record<string, string> {
  const e = error as { stack?: unknown; cause?: unknown };
  return {
    'util.inspect(error, { depth: Infinity })': inspect(error, { depth: Infinity }),
    'util.inspect(error, { depth: Infinity, showHidden: true })': inspect(error, { depth: Infinity, showHidden: true }),
    'JSON.stringify(error)': String(JSON.stringify(error)),
    'JSON.stringify(error.cause)': String(JSON.stringify(e.cause)),
    'String(error)': String(error),
    'String(error.stack)': String(e.stack),
  };
}

function expectNoSecret(error: unknown, secrets: readonly string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const [how, text] of Object.entries(renderings(error))) {
    for (const secret of secrets) expect(text.includes(secret), `${how} shows a credential`).toBe(false);
  }
  // And nothing reachable at any depth (causes, undici's internals, non-enumerable and symbol keys) holds one.
  expect(
    reachableLeaks(
      error,
      secrets.map((value, index) => ({ name: `credential ${index + 1}`, value })),
    ),
  ).toEqual([]);
}

describe('redaction', () => {
  it('a connection refused on an allowed origin rejects with an error that shows no credential', async () => {
    const origin = await closedOrigin();
    const secret = secretSigner();

    const error = await rejection(createSignedFetch(secret, { allowedOrigins: [origin] })(`${origin}/pay`, { method: 'POST', body: { amount: 1 } }));

    expect(secret.calls).toBe(1);
    expect(error).toBeInstanceOf(Error);
    expectNoSecret(error, secret.secrets);
  });

  it('a connection refused shows no part of a real RS256 token either', async () => {
    const origin = await closedOrigin();
    const recording = recordingSigner();

    const error = await rejection(createSignedFetch(recording, { baseURL: origin })('/pay?x=1'));

    expect(recording.secrets).toHaveLength(2);
    expectNoSecret(error, recording.secrets);
  });

  it('a request aborted by its timeout while the server hangs rejects with an error that shows no credential', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const secret = secretSigner();

    const error = await rejection(createSignedFetch(secret, { baseURL: origin })('/hang', { signal: AbortSignal.timeout(200) }));

    expect(secret.calls).toBe(1);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expectNoSecret(error, secret.secrets);
  });

  it('a refused redirect rejects with an error that shows no credential', async () => {
    const other = await startOtherListener();
    cleanups.push(() => other.close());
    const redirecting = await startServer(() => ({ status: 302, headers: { location: `${other.origin}/landing` } }));
    cleanups.push(() => redirecting.close());
    const secret = secretSigner();

    const error = await rejection(createSignedFetch(secret, { baseURL: redirecting.origin })('/moved'));

    expect(error).toMatchObject({ code: 'ERR_REDIRECT_REFUSED' });
    expect(redirecting.received[0]?.headers['authorization']).toBe(`Bearer ${secret.secrets[0]}`);
    expect(other.received).toHaveLength(0);
    expectNoSecret(error, secret.secrets);
  });

  it('a request for another origin is refused before the signer is asked for credentials', async () => {
    const other = await startOtherListener();
    cleanups.push(() => other.close());
    const secret = secretSigner();

    const error = await rejection(createSignedFetch(secret, { baseURL: 'http://127.0.0.1:9' })(`${other.origin}/x`));

    expect(error).toMatchObject({ code: 'ERR_ORIGIN_NOT_ALLOWED' });
    expect(secret.calls).toBe(0);
    expect(other.received).toHaveLength(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, ensureBuilt, makeFixture, sha256Hex, signet } from './support/cli.js';

let fx: Fixture;
beforeAll(async () => {
  await ensureBuilt();
  fx = makeFixture();
});
afterAll(() => fx.cleanup());

async function tokenFor(url: string, data: string): Promise<string> {
  const env = { SIGNET_API_KEY: 'ak_live_42', SIGNET_PRIVATE_KEY_FILE: fx.privateKeyFile };
  return (await signet(['token', 'request', '--url', url, '--data', data], { env, cwd: fx.dir })).stdout.trim();
}

function verify(args: string[]): ReturnType<typeof signet> {
  return signet(['verify', ...args], { cwd: fx.dir, env: { SIGNET_PUBLIC_KEY_FILE: fx.publicKeyFile } });
}

describe('signet verify --explain', () => {
  it('names the failed check and puts the signed body hash next to the one received, without printing the token', async () => {
    const token = await tokenFor('/v1/payments', '{"amount":1}');
    const result = await verify(['--token', token, '--url', '/v1/payments', '--data', '{"amount":2}', '--explain', '--json']);
    expect(result.code).toBe(1);
    const printed = JSON.parse(result.stdout) as { code: string; explanation: Record<string, unknown> };
    expect(printed.code).toBe('ERR_BODY_HASH_MISMATCH');
    expect(printed.explanation).toMatchObject({
      check: 'body',
      body: { receivedBytes: 12, receivedSha256: sha256Hex('{"amount":2}'), tokenBodyHash: sha256Hex('{"amount":1}') },
    });
    for (const part of token.split('.')) expect(result.stdout + result.stderr).not.toContain(part);
  });

  it('shows the uri signed next to the one received, in plain text', async () => {
    const token = await tokenFor('/v1/payments?a=1', '{}');
    const result = await verify(['--token', token, '--url', '/v1/payments?a=2', '--data', '{}', '--explain']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/query differs/);
    expect(result.stdout).toContain('"received": "/v1/payments?a=2"');
  });

  it('without --explain prints no explanation', async () => {
    const token = await tokenFor('/v1/payments', '{}');
    const result = await verify(['--token', token, '--url', '/v1/other', '--data', '{}', '--json']);
    expect(JSON.parse(result.stdout)).toEqual({ valid: false, code: 'ERR_URI_MISMATCH', message: expect.any(String) });
  });
});

import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nowSeconds, signet } from './support/cli.js';

// The reference primer's token (seed 000): HS256 {"user_id":123,"role":"admin"}, no iat, no exp.
const PRIMER = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoxMjMsInJvbGUiOiJhZG1pbiJ9.xiQIIxG93IoH5fEuP9BtFeqvJTGI9-XKcnVm0mrJsVc';

beforeAll(ensureBuilt);

describe('signet decode', () => {
  it('pretty-prints the header and payload of the primer token, which never expires', async () => {
    const { code, stdout, stderr } = await signet(['decode', PRIMER]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      [
        'Header:',
        '  {',
        '    "alg": "HS256",',
        '    "typ": "JWT"',
        '  }',
        'Payload:',
        '  {',
        '    "user_id": 123,',
        '    "role": "admin"',
        '  }',
        'expiry:     never (no "exp" claim)',
        'signature:  not verified (signet verify checks it)',
        '',
      ].join('\n'),
    );
  });

  it('reads the token from stdin, without an argument or with -, and accepts a leading Bearer', async () => {
    const expected = (await signet(['decode', PRIMER])).stdout;
    expect((await signet(['decode'], { input: `${PRIMER}\n` })).stdout).toBe(expected);
    expect((await signet(['decode', '-'], { input: `Bearer ${PRIMER}` })).stdout).toBe(expected);
    expect((await signet(['decode', `Bearer ${PRIMER}`])).stdout).toBe(expected);
  });

  it('--json prints {header, payload, expiresAt, expired}', async () => {
    const { stdout } = await signet(['decode', '--json', PRIMER]);
    expect(JSON.parse(stdout)).toEqual({
      header: { alg: 'HS256', typ: 'JWT' },
      payload: { user_id: 123, role: 'admin' },
      issuedAt: null,
      notBefore: null,
      expiresAt: null,
      expired: false,
    });
  });

  it('shows iat, nbf and exp as ISO dates, and how soon the token expires', async () => {
    const iat = nowSeconds();
    const token = jwt.sign({ sub: 'x', iat, nbf: iat, exp: iat + 600 }, 'k'.repeat(32), { algorithm: 'HS256' });
    const { stdout } = await signet(['decode', token]);
    const iso = new Date(iat * 1000).toISOString();
    expect(stdout).toContain(`issued at:  ${iso}\n`);
    expect(stdout).toContain(`not before: ${iso}\n`);
    expect(stdout).toContain(`expires at: ${new Date((iat + 600) * 1000).toISOString()}\n`);
    expect(stdout).toMatch(/\nexpiry: {5}expires in (9|10) min\n/);
    const json = JSON.parse((await signet(['decode', '--json', token])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ issuedAt: iso, notBefore: iso, expiresAt: new Date((iat + 600) * 1000).toISOString(), expired: false });
  });

  it('says how long ago an expired token expired', async () => {
    const exp = nowSeconds() - 200;
    const token = jwt.sign({ iat: exp - 55, exp }, 'k'.repeat(32), { algorithm: 'HS256' });
    expect((await signet(['decode', token])).stdout).toMatch(/\nexpiry: {5}expired 3 min ago\n/);
    expect(JSON.parse((await signet(['decode', '--json', token])).stdout)).toMatchObject({ expired: true });
  });

  it.each([
    ['a string that is not a JWT', ['decode', 'not-a-token'], '', /^signet: Not a valid JWT: .+ \(ERR_JWT_MALFORMED\)\n$/],
    ['a payload that is not JSON', ['decode', 'eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln'], '', /\(ERR_JWT_MALFORMED\)\n$/],
    ['empty stdin', ['decode'], '', /^signet: the token is empty \(ERR_INPUT\)\n$/],
  ])('refuses %s with exit code 2 and one line', async (_name, args, input, message) => {
    const run = await signet(args, { input });
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(message);
  });
});

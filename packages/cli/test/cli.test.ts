import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, type Run, ensureBuilt, makeFixture, signet } from './support/cli.js';

let fx: Fixture;
beforeAll(async () => {
  await ensureBuilt();
  fx = makeFixture();
});
afterAll(() => fx.cleanup());

const HELP: ReadonlyArray<readonly [string[], string[]]> = [
  [[], ['token', 'sign', 'decode', 'verify', '--version', '--help']],
  [['token'], ['request', 'portone', '2checkout', 'jwt']],
  [
    ['token', 'request'],
    ['--url', '--method', '--data', '--empty-body', '--expires-in', '--nonce', '--api-key', '--key-file', '--passphrase-file', '--json', 'SIGNET_PRIVATE_KEY_FILE', 'SIGNET_API_KEY'],
  ],
  [
    ['token', 'portone'],
    ['--client-key', '--secret-file', '--issuer', '--expires-in', '--json', 'SIGNET_SECRET_FILE', 'SIGNET_SECRET'],
  ],
  [
    ['token', '2checkout'],
    ['--merchant-code', '--secret-file', '--expires-in', '--no-exp', '--json'],
  ],
  [
    ['token', 'jwt'],
    ['--alg', '--claims', '--expires-in', '--no-exp', '--no-iat', '--kid', '--allow-short-secret', '--secret-file', '--key-file', '--passphrase-file', '--json'],
  ],
  [
    ['sign'],
    [
      '--scheme',
      '--url',
      '--method',
      '--data',
      '--header',
      '--empty-body',
      '--expires-in',
      '--nonce',
      '--api-key-header',
      '--issuer',
      '--no-exp',
      '--api-key',
      '--key-file',
      '--passphrase-file',
      '--client-key',
      '--merchant-code',
      '--secret-file',
      '--json',
      '--curl',
    ],
  ],
  [['decode'], ['[token]', 'stdin', '--json']],
  [
    ['verify'],
    [
      '--scheme',
      '--token',
      '--request-file',
      '--url',
      '--method',
      '--data',
      '--public-key-file',
      '--client-key',
      '--merchant-code',
      '--secret-file',
      '--alg',
      '--empty-body',
      '--issuer',
      '--max-lifetime',
      '--clock-tolerance',
      '--at',
      '--json',
    ],
  ],
];

describe('help and version', () => {
  it.each(HELP)('signet %j --help exits 0 and documents every option', async (command, mentions) => {
    const { code, stdout, stderr } = await signet([...command, '--help']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(new RegExp(`^Usage: signet${command.map((word) => ` ${word}`).join('')} `));
    for (const mention of mentions) expect(stdout).toContain(mention);
    // No option takes a secret as its value: only files and environment variables do.
    expect(stdout).not.toMatch(/--(secret|private-key|key|passphrase|password)\s+</);
  });

  it('signet help <command> prints the same help', async () => {
    expect((await signet(['help', 'verify'])).stdout).toBe((await signet(['verify', '--help'])).stdout);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await signet(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('signet alone prints the help on stderr and exits 2', async () => {
    const { code, stdout, stderr } = await signet([]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain('Usage: signet');
  });
});

describe('usage errors', () => {
  it.each([
    ['an unknown command', ['tokn'], "signet: unknown command 'tokn'; did you mean token? (ERR_USAGE)\n"],
    [
      'a secret passed as --secret',
      ['token', 'portone', '--client-key', 'K', '--secret', 'xyz'],
      "signet: unknown option '--secret'; did you mean --secret-file? (secrets are read from files or environment variables, never from the command line) (ERR_USAGE)\n",
    ],
    [
      'a secret passed as --secret=',
      ['token', 'portone', '--client-key', 'K', '--secret=xyz'],
      "signet: unknown option '--secret=…'; did you mean --secret-file? (secrets are read from files or environment variables, never from the command line) (ERR_USAGE)\n",
    ],
    [
      'a private key passed as --private-key',
      ['token', 'request', '--url', '/', '--private-key', 'xyz'],
      "signet: unknown option '--private-key'; did you mean --key-file? (secrets are read from files or environment variables, never from the command line) (ERR_USAGE)\n",
    ],
    ['a missing secret', ['token', 'portone', '--client-key', 'K'], 'signet: the portone scheme needs the HMAC secret: give --secret-file <path>, or set SIGNET_SECRET_FILE or SIGNET_SECRET (ERR_USAGE)\n'],
    [
      'a missing private key',
      ['token', 'request', '--url', '/', '--api-key', 'a'],
      'signet: the request scheme needs the private key: give --key-file <path>, or set SIGNET_PRIVATE_KEY_FILE or SIGNET_PRIVATE_KEY (ERR_USAGE)\n',
    ],
    ['a missing API key', ['token', 'request', '--url', '/'], 'signet: the request scheme needs --api-key <value> (or SIGNET_API_KEY) (ERR_USAGE)\n'],
    ['a missing --url', ['token', 'request'], "signet: required option '--url <url>' not specified (ERR_USAGE)\n"],
    ['a bad --expires-in', ['token', 'portone', '--expires-in', '0'], "signet: option '--expires-in <seconds>' argument '0' is invalid. Expected a whole number of seconds above 0 (ERR_USAGE)\n"],
    ['an extra argument', ['decode', 'a', 'b'], /^signet: too many arguments for 'decode'\. .+ \(ERR_USAGE\)\n$/],
    ['an unreadable key file', ['token', 'request', '--url', '/', '--api-key', 'a', '--key-file', '/nonexistent/key.pem'], 'signet: cannot read the private key (--key-file): no such file (ERR_INPUT)\n'],
    ['an unreadable body file', ['sign', '--url', '/', '--data', '@/nonexistent/body.json'], 'signet: cannot read the body file "/nonexistent/body.json": no such file (ERR_INPUT)\n'],
  ])('%s: one line on stderr, exit 2', async (_name, args, expected) => {
    const run: Run = await signet(args, { env: args[0] === 'sign' ? { SIGNET_API_KEY: 'a', SIGNET_PRIVATE_KEY_FILE: fx.privateKeyFile } : {} });
    expect(run).toMatchObject({ code: 2, stdout: '' });
    if (typeof expected === 'string') expect(run.stderr).toBe(expected);
    else expect(run.stderr).toMatch(expected);
  });

  it('both SIGNET_SECRET and SIGNET_SECRET_FILE set is ambiguous', async () => {
    const run = await signet(['token', 'portone', '--client-key', 'K'], { env: { SIGNET_SECRET: fx.secret, SIGNET_SECRET_FILE: fx.secretFile } });
    expect(run.stderr).toBe('signet: both SIGNET_SECRET and SIGNET_SECRET_FILE are set; set only one (ERR_USAGE)\n');
    expect(run.code).toBe(2);
  });

  it('a secret file over 64 KiB is refused before it is used', async () => {
    const run = await signet(['token', 'portone', '--client-key', 'K', '--secret-file', fx.write('huge.secret', 'x'.repeat(64 * 1024 + 1))]);
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'signet: the HMAC secret (--secret-file) is larger than 64 KiB (ERR_INPUT)\n' });
  });
});

describe('secrets never appear in any output', () => {
  it('not in tokens, headers, curl commands, verification results or any error', async () => {
    const shortSecret = 'hunter2-is-my-secret';
    const pemBody = fx.privatePem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
    const secretEnv = { SIGNET_SECRET: fx.secret };
    const runs = await Promise.all([
      signet(['token', 'portone', '--client-key', 'K', '--secret-file', fx.secretFile, '--json']),
      signet(['token', '2checkout', '--merchant-code', 'M'], { env: secretEnv }),
      signet(['token', 'jwt', '--alg', 'HS256'], { env: { SIGNET_SECRET: shortSecret } }),
      signet(['token', 'jwt', '--alg', 'HS512'], { env: secretEnv }),
      signet(['sign', '--scheme', 'portone', '--client-key', 'K', '--url', 'https://h/x', '--curl'], { env: secretEnv }),
      signet(['sign', '--url', 'https://h/x', '--curl', '--api-key', 'a', '--key-file', fx.privateKeyFile]),
      signet(['token', 'request', '--url', '/', '--api-key', 'a', '--json'], { env: { SIGNET_PRIVATE_KEY: fx.privatePem } }),
      signet(['token', 'portone', '--client-key', 'K', `--secret=${shortSecret}`]),
      signet(['token', 'portone', '--client-key', 'K', '--secret', shortSecret]),
      signet(['token', 'portone', '--client-key', 'K', `--secret-file=${shortSecret}`]),
      signet(['token', 'portone', '--client-key', 'K', '--secret-file', shortSecret]),
      signet(['token', 'portone', '--client-key', 'K'], { env: { SIGNET_SECRET: fx.privatePem } }),
      signet(['token', 'request', '--url', '/', '--api-key', 'a', '--key-file', fx.secretFile]),
      signet(['token', 'jwt', '--alg', 'RS256', '--key-file', fx.secretFile]),
      signet(['verify', '--scheme', '2checkout', '--merchant-code', 'M', '--token', 'a.b.c'], { env: secretEnv }),
      signet(['verify', '--scheme', 'portone', '--client-key', 'K', '--token', 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln', '--json'], { env: secretEnv }),
      signet(['verify', '--token', 'a.b.c', '--url', '/', '--public-key-file', fx.privateKeyFile]),
      signet(['verify', '--token', 'a.b.c', '--url', '/', '--public-key-file', fx.secretFile]),
    ]);
    expect(runs.filter((run) => run.code === 0).length).toBeGreaterThanOrEqual(6);
    for (const { stdout, stderr } of runs) {
      const output = stdout + stderr;
      expect(output).not.toContain(fx.secret);
      expect(output).not.toContain(shortSecret);
      for (const line of pemBody) expect(output).not.toContain(line);
      // Errors stay on one line.
      expect(stderr.split('\n').length).toBeLessThanOrEqual(2);
    }
  });
});

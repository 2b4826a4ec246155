import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's path (softhsm2 package); other distributions may put it elsewhere, hence SOFTHSM2_LIBRARY. */
export const SOFTHSM_LIBRARY = process.env.SOFTHSM2_LIBRARY ?? '/usr/lib/softhsm/libsofthsm2.so';

/** A throwaway SoftHSM2 token holding freshly generated key pairs, each under its own label. */
export interface TestToken {
  readonly library: string;
  readonly tokenLabel: string;
  readonly pin: string;
  /** The public half of each imported key, as node:crypto made it: what a verifier would be configured with. */
  readonly publicKeys: Readonly<Record<KeyName, KeyObject>>;
  /** The private halves, for comparisons only (the benchmark's node:crypto baseline): the token holds its own copy. */
  readonly privateKeys: Readonly<Record<KeyName, KeyObject>>;
  remove(): void;
}

export type KeyName = 'rsa' | 'ec' | 'rsa1024' | 'p384';

/**
 * Why no SoftHSM2 token can be made here, or `undefined` when one can. Tests never install system packages:
 * .ci/run installs SoftHSM2 on a fresh machine; on yours, install it once.
 */
export function softHsmMissing(): string | undefined {
  try {
    execFileSync('sh', ['-c', 'command -v softhsm2-util'], { stdio: 'ignore' });
  } catch {
    return 'softhsm2-util is not installed. Run `apt-get install softhsm2` (Debian/Ubuntu) to sign with a real PKCS#11 token.';
  }
  if (!existsSync(SOFTHSM_LIBRARY)) return `${SOFTHSM_LIBRARY} is missing. Run \`apt-get install softhsm2\`, or point SOFTHSM2_LIBRARY at libsofthsm2.so.`;
  return undefined;
}

/**
 * Creates a token in a temp directory (SOFTHSM2_CONF points the library there, so no system token is touched) and
 * imports an RSA-2048, an EC P-256, an RSA-1024 and an EC P-384 key generated now with node:crypto. Call it before
 * the first pkcs11Key(): SoftHSM reads SOFTHSM2_CONF when the library is initialized.
 */
export function createTestToken(tokenLabel = 'signet-test', pin = 'test-pin-5678'): TestToken {
  const missing = softHsmMissing();
  if (missing !== undefined) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'signet-softhsm-'));
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  const util = (...args: string[]): void => void execFileSync('softhsm2-util', args, { stdio: 'pipe', env: { ...process.env, SOFTHSM2_CONF: conf } });
  util('--init-token', '--free', '--label', tokenLabel, '--so-pin', 'so-pin-1234', '--pin', pin);
  const pairs = {
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ec: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    rsa1024: generateKeyPairSync('rsa', { modulusLength: 1024 }),
    p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  };
  const publicKeys = {} as Record<KeyName, KeyObject>;
  const privateKeys = {} as Record<KeyName, KeyObject>;
  Object.entries(pairs).forEach(([name, pair], index) => {
    const file = join(dir, `${name}.pem`);
    writeFileSync(file, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    util('--import', file, '--token', tokenLabel, '--label', name, '--id', (index + 1).toString(16).padStart(2, '0'), '--pin', pin);
    rmSync(file);
    publicKeys[name as KeyName] = pair.publicKey;
    privateKeys[name as KeyName] = pair.privateKey;
  });
  return { library: SOFTHSM_LIBRARY, tokenLabel, pin, publicKeys, privateKeys, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

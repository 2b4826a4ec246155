// Signatures per second through PKCS#11 (SoftHSM2, a software token: a network HSM adds its round trip) beside
// node:crypto's sign() on the same key. Run: pnpm --filter @signet/pkcs11 bench [--smoke]
import { sign as cryptoSign } from 'node:crypto';
import { pkcs11Key, type Pkcs11Key } from './src/index.js';
import { createTestToken } from '@signet/test-support';

const smoke = process.argv.includes('--smoke');
const count = smoke ? 50 : 2000;
const data = new TextEncoder().encode(`${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ uri: '/v1/orders?page=2', bodyHash: 'x'.repeat(64) })).toString('base64url')}`);

/** Runs `count` calls of `op`, `concurrency` at a time; returns operations per second. */
async function rate(op: () => Promise<unknown>, concurrency: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await op();
    }),
  );
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

const token = createTestToken('signet-bench');
const rows: string[][] = [['key', 'path', 'concurrency', 'signatures/s', 'vs crypto.sign']];
try {
  for (const [label, algorithm, hash, options] of [
    ['rsa', 'RS256', 'sha256', {}],
    ['ec', 'ES256', 'sha256', { dsaEncoding: 'ieee-p1363' }],
  ] as const) {
    const privateKey = token.privateKeys[label];
    const baseline = await rate(async () => cryptoSign(hash, data, { key: privateKey, ...options }), 1);
    rows.push([label, 'crypto.sign', '1', baseline.toFixed(0), '1.00']);
    for (const [sessions, concurrency] of [
      [1, 1],
      [1, 16],
      [4, 16],
      [8, 16],
    ] as const) {
      const key: Pkcs11Key = pkcs11Key({ library: token.library, tokenLabel: token.tokenLabel, pin: token.pin, keyLabel: label, algorithm, sessions });
      await key.sign(data); // warm: the first session is open, the rest open on demand
      const measured = await rate(() => key.sign(data), concurrency);
      rows.push([label, `pkcs11 ${algorithm}, ${sessions} session(s)`, String(concurrency), measured.toFixed(0), (measured / baseline).toFixed(2)]);
      await key.close();
    }
  }
} finally {
  token.remove();
}
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
console.log(`${count} signatures per row${smoke ? ' (smoke run)' : ''}; crypto.sign runs on the main thread, so its concurrency is 1.`);

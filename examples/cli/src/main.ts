import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { requestVerifier, withSignet } from '@signet/verify';

// The signet CLI signs a request; the headers it prints are sent with plain fetch to a local API on @signet/verify.
const cli = createRequire(import.meta.url)
  .resolve('@signet/cli/package.json')
  .replace(/package\.json$/, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'signet-cli-example-'));
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
writeFileSync(join(dir, 'body.json'), '{"amount":1250,"currency":"EUR"}');

const server = createServer(withSignet(requestVerifier({ publicKey }), (_req, res, claims) => res.end(`verified ${String(claims['uri'])}`)));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/payments?dryRun=1`;
const signet = (...args: string[]): string => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, SIGNET_API_KEY: 'merchant-demo-key' } });

try {
  // The key comes from a file, never from the command line.
  const signed = JSON.parse(signet('sign', '--method', 'POST', '--url', url, '--data', `@${join(dir, 'body.json')}`, '--key-file', join(dir, 'key.pem'), '--json')) as { headers: Record<string, string> };
  console.log('$ signet sign --method POST --url … --data @body.json --key-file key.pem --json');
  const response = await fetch(url, { method: 'POST', headers: { ...signed.headers, 'content-type': 'application/json' }, body: '{"amount":1250,"currency":"EUR"}' });
  console.log(`sent with fetch: ${response.status} ${await response.text()}`);
  const token = String(signed.headers['Authorization'] ?? signed.headers['authorization']).replace(/^Bearer /, '');
  console.log('$ signet decode <token>');
  console.log(signet('decode', token).trimEnd());
  process.exitCode = response.status === 200 ? 0 : 1;
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}

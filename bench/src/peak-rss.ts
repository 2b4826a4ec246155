import { generateKeyPairSync } from 'node:crypto';
import { requestSigner } from '@signet/core';

// Run in a fresh process: peak RSS while signing a 100 MiB Buffer body, above what the process held before the body.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = requestSigner({ apiKey: 'bench-api-key', privateKey });
await signer.sign({ method: 'POST', url: '/warm-up', body: Buffer.from('{}') });
const before = process.memoryUsage().rss;
const body = Buffer.alloc(100 * 1024 * 1024, 7);
await signer.sign({ method: 'POST', url: '/v1/upload', body });
const peak = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ before, peak, body: body.length }));

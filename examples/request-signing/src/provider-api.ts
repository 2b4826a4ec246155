import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryReplayStore, requestVerifier, withSignet } from '@signet/verify';

/**
 * A stand-in for the provider's API, built on @signet/verify: every request must carry a token that verifies with
 * the merchant's public key (RS256, at most 55 s of life), bound to the path + query it arrives on and to the
 * SHA-256 of its body, and used only once. Rejections answer 401 with the reason code.
 */
export async function startProviderApi(merchants: Record<string, KeyObject>): Promise<{ origin: string; close(): void }> {
  const verifier = requestVerifier({ keyForApiKey: (apiKey) => merchants[apiKey], replay: memoryReplayStore() });
  const server = createServer(
    withSignet(
      verifier,
      (_req, res, claims, body) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, merchant: claims['sub'], uri: claims['uri'], bodyHash: claims['bodyHash'], bytes: body.length }));
      },
      { maxBodyBytes: 5 * 1024 * 1024 },
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

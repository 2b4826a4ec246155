// Runs signing cases against one build of @signet/core and reports what each gave: the headers of two signatures,
// or the SignetError code and whether it came at construction or at the first sign(). The test runs it in-process
// on the sources (the Node build) and in a child process on the bundled web build, with Buffer deleted first.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** A fixed clock: tokens of deterministic algorithms are then the same bytes on every run and every build. */
export const FIXED_NOW = 1_700_000_000_000;

const encoder = new TextEncoder();

async function keyOf(spec) {
  if (spec === undefined) return undefined;
  if ('text' in spec) return spec.text;
  if ('jwk' in spec) return spec.jwk;
  if ('signingKey' in spec) {
    // A SigningKey (a key held elsewhere), here a CryptoKey behind the interface.
    const key = await keyOf({ cryptoKey: spec.signingKey.cryptoKey });
    return { algorithm: spec.signingKey.algorithm, sign: async (data) => new Uint8Array(await crypto.subtle.sign(key.algorithm, key, data)) };
  }
  // A CryptoKey, imported here from PKCS#8 (PEM body) or raw bytes (a secret).
  const { format, data, algorithm, usages } = spec.cryptoKey;
  const bytes = format === 'raw' ? encoder.encode(data) : Uint8Array.from(atob(data.replace(/-----[^-]+-----|\s/g, '')), (char) => char.charCodeAt(0));
  return crypto.subtle.importKey(format, bytes, algorithm, false, usages);
}

const requestOf = (request) => (request.body === undefined ? request : { ...request, body: encoder.encode(request.body) });

/** `{ [case name]: { headers: [first, second] } | { error, at } }` */
export async function runCases(core, cases) {
  const results = {};
  for (const { name, make, keyOption, key, options, request } of cases) {
    // Functions do not travel as JSON: a fixed nonce and the fixed clock (`clock: false` for signers without one).
    const { fixedNonce, clock, ...rest } = options;
    const extra = { ...(fixedNonce === undefined ? {} : { nonce: () => fixedNonce }), ...(clock === false ? {} : { clock: () => FIXED_NOW }) };
    let signer;
    try {
      signer = core[make]({ ...rest, ...extra, [keyOption]: await keyOf(key) });
    } catch (error) {
      results[name] = { error: error?.code ?? String(error), at: 'construction' };
      continue;
    }
    try {
      results[name] = { headers: [await signer.sign(requestOf(request)), await signer.sign(requestOf(request))] };
    } catch (error) {
      // The second sign() must fail the same way: the refused import is not retried into another answer.
      const again = await signer.sign(requestOf(request)).then(
        () => 'signed',
        (second) => second?.code,
      );
      results[name] = { error: error?.code ?? String(error), at: 'sign', again };
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [entry, specFile] = process.argv.slice(2);
  const cases = JSON.parse(readFileSync(specFile, 'utf8'));
  // The web build must not lean on Node's globals.
  delete globalThis.Buffer;
  const core = await import(pathToFileURL(entry).href);
  const decoded = core.decodeJwt('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ3ZWIifQ.c2ln');
  console.log(JSON.stringify({ results: await runCases(core, cases), decoded }));
}

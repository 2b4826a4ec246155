// @signet/axios in Node, Bun and Deno (axios on each runtime's node:http): `<runtime> axios/main.mjs <origin>` signs
// a JSON POST and a raw-bytes PUT with requestSigner over createSignedAxios, to the verifying server's
// /verify/requestSigner%20RS256, which checks them with jsonwebtoken; it prints one JSON line of what the server said.
import { createSignedAxios } from '@signet/axios';
import { requestSigner } from '@signet/core';

const origin = globalThis.Deno ? globalThis.Deno.args[0] : globalThis.process.argv[2];
const config = await (await fetch(`${origin}/config`)).json();
const api = createSignedAxios(requestSigner({ apiKey: config.apiKey, privateKey: config.rsaPrivate }), { baseURL: origin, validateStatus: () => true });
const target = `/verify/${encodeURIComponent('requestSigner RS256')}`;
const results = {};
for (const [name, send] of Object.entries({
  'axios JSON POST': () => api.post(target, { amount: 1250, note: 'Grüße 🚀' }, { params: { q: 1, tag: 'a b' } }),
  'axios bytes PUT': () => api.put(`${target}?raw=1`, new Uint8Array([0, 1, 2, 253, 254, 255]), { headers: { 'Content-Type': 'application/octet-stream' } }),
})) {
  try {
    const response = await send();
    results[name] = response.status === 200 ? 'ok' : `server answered ${response.status}: ${JSON.stringify(response.data)}`;
  } catch (error) {
    results[name] = `${error?.name}${error?.code ? ` [${error.code}]` : ''}: ${error?.message}`;
  }
}
console.log(JSON.stringify(results));

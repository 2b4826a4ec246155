import { createPayment } from './pay.ts';

// `bun src/bun.ts`, with API_URL, API_KEY and PRIVATE_KEY (PEM) in the environment: creates one payment and prints
// the API's answer as one JSON line; exits 1 unless the API accepted it.
declare const Bun: { env: Record<string, string | undefined> };

const need = (name: string): string => Bun.env[name] ?? (console.error(`Set ${name}.`), process.exit(2));
const result = await createPayment({ baseURL: need('API_URL'), apiKey: need('API_KEY'), privateKey: need('PRIVATE_KEY') }, { amount: 1250, currency: 'EUR' });
console.log(JSON.stringify(result));
process.exitCode = result.status >= 200 && result.status < 300 ? 0 : 1;

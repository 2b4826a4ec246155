import { paymentsHandler } from './app.ts';

// `deno run --allow-net --allow-env src/deno.ts`, with the merchant's public key (PEM) in MERCHANT_PUBLIC_KEY and,
// optionally, PORT. Prints one JSON line `{"port":…}` once it listens on 127.0.0.1.
declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(options: { hostname: string; port: number; onListen(address: { port: number }): void }, handler: (request: Request) => Promise<Response>): unknown;
};

const publicKey = Deno.env.get('MERCHANT_PUBLIC_KEY');
if (publicKey === undefined) throw new Error('Set MERCHANT_PUBLIC_KEY to the merchant public key (PEM).');
Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT') ?? 0), onListen: ({ port }) => console.log(JSON.stringify({ port })) }, paymentsHandler({ publicKey }));

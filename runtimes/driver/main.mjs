// Node, Bun and Deno: `<runtime> driver/main.mjs <origin>` prints the driver's results as one JSON line.
import { runDriver } from './driver.mjs';

const origin = globalThis.Deno ? globalThis.Deno.args[0] : globalThis.process.argv[2];
console.log(JSON.stringify(await runDriver(origin)));

// workerd: GET /?alg=RS256&variant=signet&n=200 runs one variant n times and answers 204. workerd's clocks stand
// still while a request runs (a Spectre mitigation), so the bench times these requests from Node. The keys are the
// BENCH_PROBE binding (JSON { rsaPrivate, secret }); the signers are built on the first request.
import { probes } from './runtime-probe.mjs';

let built;
export default {
  async fetch(request, env) {
    built ??= probes(JSON.parse(env.BENCH_PROBE));
    const params = new URL(request.url).searchParams;
    const run = (await built)[params.get('alg')]?.[params.get('variant')];
    if (run === undefined) return new Response('unknown alg or variant', { status: 404 });
    await run(Number(params.get('n')));
    return new Response(null, { status: 204 });
  },
};

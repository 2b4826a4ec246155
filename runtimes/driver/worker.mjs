// Cloudflare Workers: GET /?origin=<verifying server> runs the driver inside workerd and answers with its results.
import { runDriver } from './driver.mjs';

export default {
  async fetch(request) {
    const origin = new URL(request.url).searchParams.get('origin');
    return Response.json(await runDriver(origin));
  },
};

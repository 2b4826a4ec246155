// Cloudflare Workers: the app as a module Worker; the config is the SIGNET_SERVER_CONFIG binding (a JSON string).
import { createApp } from './app.mjs';

let app;
export default {
  fetch(request, env) {
    app ??= createApp(JSON.parse(env.SIGNET_SERVER_CONFIG));
    return app(request);
  },
};

// Bun.serve on 127.0.0.1, a free port; the config is the JSON in SIGNET_SERVER_CONFIG. Prints `{"port":…}` once listening.
/* global Bun */
import { createApp } from './app.mjs';

const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: createApp(JSON.parse(Bun.env.SIGNET_SERVER_CONFIG)) });
console.log(JSON.stringify({ port: server.port }));

// Deno.serve on 127.0.0.1, a free port; the config is the JSON in SIGNET_SERVER_CONFIG. Prints `{"port":…}` once listening.
/* global Deno */
import { createApp } from './app.mjs';

Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(JSON.stringify({ port })) }, createApp(JSON.parse(Deno.env.get('SIGNET_SERVER_CONFIG'))));

// Node, the baseline: @hono/node-server turns node:http into the same fetch(request) interface. Prints `{"port":…}`.
import { serve } from '@hono/node-server';
import { createApp } from './app.mjs';

serve({ hostname: '127.0.0.1', port: 0, fetch: createApp(JSON.parse(process.env.SIGNET_SERVER_CONFIG)) }, ({ port }) => console.log(JSON.stringify({ port })));

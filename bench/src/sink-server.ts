import { createServer } from 'node:http';
import { answerSmallJson } from './sink.js';

// A loopback server in its own process that reads each body and answers a small JSON: the client is what is measured.
const server = createServer(answerSmallJson);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.(typeof address === 'object' && address ? address.port : 0);
});
process.on('disconnect', () => process.exit(0));

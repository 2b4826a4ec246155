import type { IncomingMessage, ServerResponse } from 'node:http';

/** What every bench server answers: it reads the whole body, then a small JSON; the client is what is measured. */
export function answerSmallJson(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
    res.end('{"ok":true}');
  });
}

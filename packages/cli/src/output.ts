import { decodeJwt } from '@signet/core';
import type { Io } from './io.js';

/** Pretty JSON, two spaces, with a final newline. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A minted token: bare on its own line, or with its decoded header and payload as JSON. */
export function printToken(io: Io, token: string, asJson: boolean | undefined): void {
  if (asJson !== true) {
    io.stdout(`${token}\n`);
    return;
  }
  const { header, payload } = decodeJwt(token);
  io.stdout(json({ token, header, payload }));
}

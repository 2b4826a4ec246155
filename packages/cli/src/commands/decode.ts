import { decodeJwt } from '@signet/core';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { type Io, readStdin } from '../io.js';
import { jsonOption } from '../options.js';
import { json } from '../output.js';
import { expiryPhrase, isoOf } from '../time.js';

const MAX_TOKEN_BYTES = 1024 * 1024;

export function registerDecode(program: Command, io: Io): void {
  program
    .command('decode')
    .description("print a JWT's header and payload, its times as ISO dates and whether it has expired (the signature is NOT verified)")
    .argument('[token]', 'the token, with or without "Bearer "; - or nothing reads it from stdin')
    .addOption(jsonOption('{header, payload, issuedAt, notBefore, expiresAt, expired}'))
    .addHelpText(
      'after',
      `
Examples:
  $ signet decode eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2ln
  $ signet token portone --client-key K | signet decode
  $ signet decode --json < token.txt | jq .expiresAt`,
    )
    .action(async (argument: string | undefined, options: { json?: boolean }) => {
      const token = bareToken(argument === undefined || argument === '-' ? await tokenFromStdin(io, argument === undefined) : argument);
      const { header, payload } = decodeJwt(token);
      const now = Math.floor(io.now() / 1000);
      const exp = payload['exp'];
      const expiresAt = isoOf(exp);
      // A token without exp never expires; one whose exp is not a date cannot be said to, either way.
      const expired = exp === undefined ? false : expiresAt === undefined ? null : (exp as number) <= now;
      if (options.json === true) {
        io.stdout(
          json({
            header,
            payload,
            issuedAt: isoOf(payload['iat']) ?? null,
            notBefore: isoOf(payload['nbf']) ?? null,
            expiresAt: expiresAt ?? null,
            expired,
          }),
        );
        return;
      }
      io.stdout(`Header:\n${indent(json(header))}Payload:\n${indent(json(payload))}`);
      for (const [claim, label] of [
        ['iat', 'issued at'],
        ['nbf', 'not before'],
        ['exp', 'expires at'],
      ] as const) {
        if (payload[claim] === undefined) continue;
        const iso = isoOf(payload[claim]);
        io.stdout(`${`${label}:`.padEnd(12)}${iso ?? `not a NumericDate (${JSON.stringify(payload[claim])})`}\n`);
      }
      const expiry = exp === undefined ? 'never (no "exp" claim)' : expiresAt === undefined ? 'unknown ("exp" is not a NumericDate)' : expiryPhrase(exp as number, now);
      io.stdout(`expiry:     ${expiry}\n`);
      io.stdout('signature:  not verified (signet verify checks it)\n');
    });
}

async function tokenFromStdin(io: Io, implicit: boolean): Promise<string> {
  if (implicit && io.stdin.isTTY === true) throw new CliError('ERR_USAGE', 'give a token, or pipe one on stdin');
  return (await readStdin(io, MAX_TOKEN_BYTES, 'the token')).toString('utf8');
}

/** Surrounding whitespace, an `Authorization:` name and a `Bearer` scheme are not part of the token. */
function bareToken(input: string): string {
  const token = input
    .trim()
    .replace(/^authorization:\s*/i, '')
    .replace(/^bearer\s+/i, '');
  if (token === '') throw new CliError('ERR_INPUT', 'the token is empty');
  return token;
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}

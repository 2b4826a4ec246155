import { CliError } from './errors.js';
import type { Body } from './request-input.js';

/** Quotes a word for POSIX sh: bare when it is plainly safe, else in single quotes (`'` written as `'\''`). */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new CliError('ERR_INPUT', 'a NUL byte cannot be passed on a command line');
  if (/^[A-Za-z0-9_\-.,:/@%+=]+$/.test(word)) return word;
  return `'${word.replaceAll("'", "'\\''")}'`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A curl command that sends exactly the request that was signed: the method, the URL as the WHATWG parser
 * serialized it (so curl sends the same path + query; `--globoff` stops curl reading `[]{}` as patterns), every
 * header, and the body with `--data-binary` (a file by name, so its bytes go as they are; other bodies inline).
 */
export function curlCommand(method: string, url: string, headers: ReadonlyArray<readonly [string, string]>, body: Body): string {
  const words = [['curl', '--globoff', ...(method === 'HEAD' ? ['--head'] : ['-X', shellQuote(method)]), shellQuote(url)].join(' ')];
  for (const [name, value] of headers) words.push(`-H ${shellQuote(`${name}: ${value}`)}`);
  if (body.source.kind === 'file') {
    words.push(`--data-binary ${shellQuote(`@${body.source.path}`)}`);
  } else if (body.source.kind === 'inline' && body.bytes !== undefined && body.bytes.byteLength > 0) {
    let text: string;
    try {
      text = utf8.decode(body.bytes);
    } catch {
      throw new CliError('ERR_INPUT', 'with --curl, a body that is not UTF-8 text must be given as --data @file');
    }
    // curl reads a --data-binary value starting with @ as a file name.
    if (text.startsWith('@')) throw new CliError('ERR_INPUT', 'with --curl, a body starting with @ must be given as --data @file');
    words.push(`--data-binary ${shellQuote(text)}`);
  }
  return `${words.join(' \\\n  ')}\n`;
}

import { Buffer } from 'node:buffer';
import { CliError } from './errors.js';

/** A request read from a capture: the request line, the headers and the body bytes as they were on the wire. */
export interface CapturedRequest {
  method: string;
  /** The request-target, verbatim. */
  url: string;
  /** Lower-cased names; a repeated header becomes a list (and verifiers treat a repeated token header as absent). */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * Parses a raw HTTP/1.x request: request line, header lines, an empty line, the body. Lines may end in CRLF (as
 * captured) or LF (as typed). The body is `Content-Length` bytes when that header is present, decoded from
 * `Transfer-Encoding: chunked` when that is, else everything after the empty line, byte for byte.
 */
export function parseHttpRequest(raw: Buffer): CapturedRequest {
  const end = headerEnd(raw);
  if (end === undefined) throw invalid('no empty line ends the headers');
  const lines = raw.subarray(0, end.at).toString('latin1').split(/\r?\n/);
  const requestLine = lines.shift() ?? '';
  const parts = requestLine.split(' ');
  if (parts.length !== 3 || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(parts[0] ?? '') || !/^HTTP\/1\.[01]$/.test(parts[2] ?? '') || (parts[1] ?? '') === '') {
    throw invalid('the first line is not a request line such as "POST /v1/payments HTTP/1.1"');
  }
  const [method, url] = parts as [string, string, string];
  const headers: Record<string, string | string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (/^[ \t]/.test(line) || colon <= 0 || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(line.slice(0, colon))) {
      throw invalid('a header line is not "Name: value"');
    }
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers[name];
    headers[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return { method, url, headers, body: bodyOf(raw.subarray(end.bodyStart), headers) };
}

function headerEnd(raw: Buffer): { at: number; bodyStart: number } | undefined {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { at: crlf, bodyStart: crlf + 4 };
  if (lf !== -1) return { at: lf > 0 && raw[lf - 1] === 0x0d ? lf - 1 : lf, bodyStart: lf + 2 };
  return undefined;
}

function bodyOf(rest: Buffer, headers: Record<string, string | string[]>): Buffer {
  const length = headers['content-length'];
  const encoding = headers['transfer-encoding'];
  if (length !== undefined && encoding !== undefined) throw invalid('it has both Content-Length and Transfer-Encoding');
  if (encoding !== undefined) {
    if (Array.isArray(encoding) || encoding.toLowerCase() !== 'chunked') throw invalid('the only Transfer-Encoding read is chunked');
    return dechunk(rest);
  }
  if (length !== undefined) {
    if (Array.isArray(length) || !/^\d{1,15}$/.test(length)) throw invalid('Content-Length is not one number');
    const bytes = Number(length);
    if (rest.length < bytes) throw invalid(`the body is shorter (${rest.length} bytes) than its Content-Length (${bytes})`);
    return rest.subarray(0, bytes);
  }
  return rest;
}

function dechunk(data: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\n', at);
    if (lineEnd === -1) throw invalid('a chunk size line is missing');
    const sizeText = data.subarray(at, lineEnd).toString('latin1').replace(/\r$/, '').split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) throw invalid('a chunk size is not hexadecimal');
    const size = Number.parseInt(sizeText, 16);
    at = lineEnd + 1;
    if (size === 0) return Buffer.concat(chunks);
    if (at + size > data.length) throw invalid('a chunk is cut short');
    chunks.push(data.subarray(at, at + size));
    at += size;
    if (data[at] === 0x0d) at += 1;
    if (data[at] !== 0x0a) throw invalid('a chunk does not end with a line break');
    at += 1;
  }
}

function invalid(reason: string): CliError {
  return new CliError('ERR_INPUT', `the captured request (--request-file) is not a raw HTTP request: ${reason}`);
}

import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as web from '../src/platform/bytes.web.js';
import { sha2 } from '../src/platform/sha2.js';

// The web build's own primitives, checked against node:crypto and Buffer: its synchronous SHA-2 (thumbprints, `ath`,
// query hashes) and its Buffer-free codecs must give the very bytes the Node build gives.

describe('the web build primitives agree with node:crypto and Buffer', () => {
  it('SHA-256/384/512 of every padding boundary and random lengths', () => {
    const lengths = [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, 4099];
    for (const length of lengths) {
      const data = randomBytes(length);
      for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
        expect(Buffer.from(sha2(hash, data)).toString('hex'), `${hash} of ${length} bytes`).toBe(createHash(hash).update(data).digest('hex'));
      }
    }
  });

  it('base64, base64url, hex, Latin-1 and UTF-8 codecs', () => {
    for (let length = 0; length < 70; length++) {
      const data = randomBytes(length);
      const buffer = Buffer.from(data);
      expect(web.base64urlOf(data)).toBe(buffer.toString('base64url'));
      expect(web.base64Of(data)).toBe(buffer.toString('base64'));
      expect(web.hexOf(data)).toBe(buffer.toString('hex'));
      expect(web.latin1Text(data)).toBe(buffer.toString('latin1'));
      expect(Buffer.from(web.fromBase64(buffer.toString('base64')))).toEqual(buffer);
      expect(Buffer.from(web.fromBase64(buffer.toString('base64url')))).toEqual(buffer);
      expect(Buffer.from(web.latin1(buffer.toString('latin1')))).toEqual(buffer);
    }
    const text = 'Grüße 🚀 \u0000';
    expect(Buffer.from(web.utf8(text))).toEqual(Buffer.from(text, 'utf8'));
    expect(Buffer.from(web.fromBase64(' QU Jj\nRA== '))).toEqual(Buffer.from(' QU Jj\nRA== ', 'base64'));
    expect(Buffer.from(web.concat([Uint8Array.of(1), Uint8Array.of(), Uint8Array.of(2, 3)]))).toEqual(Buffer.from([1, 2, 3]));
  });
});

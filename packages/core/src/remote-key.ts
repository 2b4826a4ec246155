import { Buffer } from './platform/buffer.js';
import { KeyHandle as KeyObject } from './platform/crypto.js';
import { ALGORITHMS, type JwsAlgorithm } from './algorithm-registry.js';
import { derToP1363, normalizeLowS } from './ecdsa.js';
import { SignetError } from './errors.js';
import type { SigningKey } from './signing-key.js';

/** @internal Limits of a key held outside the process. */
export interface RemoteLimits {
  maxConcurrentSigns: number;
  signTimeoutMs: number;
}

/** @internal */
export const DEFAULT_REMOTE_LIMITS: RemoteLimits = { maxConcurrentSigns: 64, signTimeoutMs: 10_000 };

/** Options of the signers that take a {@link SigningKey}. */
export interface RemoteKeyOptions {
  /** With a `SigningKey`: the most signatures sent to it at once; the others wait their turn. @default 64 */
  maxConcurrentSigns?: number;
  /** With a `SigningKey`: how long one signature may take before the request is refused. @default 10000 */
  signTimeoutMs?: number;
}

/** @internal The checked limits. */
export function remoteLimits(options: RemoteKeyOptions): RemoteLimits {
  const { maxConcurrentSigns = DEFAULT_REMOTE_LIMITS.maxConcurrentSigns, signTimeoutMs = DEFAULT_REMOTE_LIMITS.signTimeoutMs } = options;
  if (typeof maxConcurrentSigns !== 'number' || !Number.isSafeInteger(maxConcurrentSigns) || maxConcurrentSigns < 1 || maxConcurrentSigns > 100_000) {
    throw new SignetError('ERR_INVALID_OPTION', 'maxConcurrentSigns must be a whole number from 1 to 100000.');
  }
  if (typeof signTimeoutMs !== 'number' || !Number.isSafeInteger(signTimeoutMs) || signTimeoutMs < 1 || signTimeoutMs > 2_147_483_647) {
    throw new SignetError('ERR_INVALID_OPTION', 'signTimeoutMs must be a whole number of milliseconds from 1 to 2147483647.');
  }
  return { maxConcurrentSigns, signTimeoutMs };
}

/** @internal Whether `key` is a {@link SigningKey} rather than key material. */
export function isSigningKey(key: unknown): key is SigningKey {
  return typeof key === 'object' && key !== null && !(key instanceof KeyObject) && !(key instanceof Uint8Array) && typeof (key as SigningKey).sign === 'function' && typeof (key as SigningKey).algorithm === 'string';
}

/** @internal A SigningKey for `algorithm`: its own algorithm must be that one, or the tokens would lie about it. */
export function checkSigningKey(key: SigningKey, algorithm: JwsAlgorithm, what: string): void {
  if (key.algorithm !== algorithm) {
    throw new SignetError('ERR_KEY_TYPE', `${what} is a SigningKey for ${String(key.algorithm).slice(0, 16)}, but ${algorithm} is needed here: give a key for ${algorithm}.`);
  }
}

/**
 * Signs with a key held outside the process, within its limits: at most `maxConcurrentSigns` signatures reach the
 * backend at once (the rest wait their turn, in order), each has `signTimeoutMs` to answer, and the request's abort
 * signal cancels a wait or a signature in flight. Whatever the backend returns is brought to the JWS form: ECDSA
 * from DER to IEEE P1363, and to its low-S half. A failure is `ERR_SIGNING_FAILED`, with the backend's error as
 * `cause` reduced to its name, message and code, so that nothing it carried (a request, credentials) is kept.
 * @internal
 */
export function remoteSigner(key: SigningKey, limits: RemoteLimits): (data: Buffer, signal?: AbortSignal) => Promise<Buffer> {
  const spec = ALGORITHMS[key.algorithm];
  const waiting: Array<() => void> = [];
  let active = 0;
  const release = (): void => {
    active -= 1;
    waiting.shift()?.();
  };
  const turn = (signal: AbortSignal | undefined): Promise<void> => {
    if (active < limits.maxConcurrentSigns) {
      active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = (): void => {
        signal?.removeEventListener('abort', cancel);
        active += 1;
        resolve();
      };
      const cancel = (): void => {
        const at = waiting.indexOf(go);
        if (at !== -1) waiting.splice(at, 1);
        reject(aborted());
      };
      waiting.push(go);
      signal?.addEventListener('abort', cancel, { once: true });
    });
  };

  return async (data, signal) => {
    if (signal?.aborted) throw aborted();
    await turn(signal);
    // A timer of our own, cleared when the signature is back: AbortSignal.timeout() would keep every signal (and
    // the listener on it) alive for the whole signTimeoutMs, tens of thousands at a few thousand signatures a
    // second, and their garbage delayed the event loop by enough to cost about a tenth of the throughput.
    const timer = new AbortController();
    const deadline = timer.signal;
    const clock = setTimeout(() => timer.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), limits.signTimeoutMs);
    const combined = signal === undefined ? deadline : AbortSignal.any([signal, deadline]);
    try {
      const raw = await Promise.race([key.sign(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), { signal: combined }), rejectOn(combined)]);
      if (!(raw instanceof Uint8Array) || raw.byteLength === 0) {
        throw new SignetError('ERR_SIGNING_FAILED', `The SigningKey for ${key.algorithm} returned no signature bytes (a Uint8Array is expected).`);
      }
      let signature = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      if (spec.curveOrder !== undefined) {
        if (signature.length !== spec.signatureBytes) signature = derToP1363(signature, spec.signatureBytes as number);
        signature = normalizeLowS(Buffer.from(signature), spec.curveOrder);
      }
      return signature;
    } catch (error) {
      if (error instanceof SignetError) throw error;
      if (deadline.aborted && !signal?.aborted) {
        throw new SignetError('ERR_SIGNING_FAILED', `The SigningKey did not sign within ${limits.signTimeoutMs} ms (signTimeoutMs); the request was not sent.`);
      }
      if (signal?.aborted) throw aborted();
      throw new SignetError('ERR_SIGNING_FAILED', `The SigningKey for ${key.algorithm} failed to sign; the request was not sent.`, { cause: detach(error) });
    } finally {
      clearTimeout(clock);
      release();
    }
  };
}

function rejectOn(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function aborted(): SignetError {
  return new SignetError('ERR_SIGNING_FAILED', 'The request was aborted while it was being signed; nothing was sent.');
}

/** A copy of a backend's error that keeps only what helps a log: its name, message and code. */
function detach(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(typeof error === 'string' ? error.slice(0, 200) : 'non-Error rejection');
  const copy = new Error(error.message.slice(0, 500));
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code });
  return copy;
}

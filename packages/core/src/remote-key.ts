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
 *
 * A remote key signs thousands of times a second, and what this adds to each signature is the ceiling of what a
 * slow backend can deliver: so no timer, abort controller or listener is made per signature unless it is used.
 * One timer serves every deadline (they are all `signTimeoutMs` long, so they expire in the order they started),
 * and the `AbortSignal` handed to the backend is made when the backend reads it.
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
  const turn = (signal: AbortSignal | undefined): Promise<void> | undefined => {
    if (active < limits.maxConcurrentSigns) {
      active += 1;
      return undefined;
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
  const deadlines = new Deadlines(limits.signTimeoutMs);

  const toJws = (raw: unknown): Buffer => {
    if (!(raw instanceof Uint8Array) || raw.byteLength === 0) {
      throw new SignetError('ERR_SIGNING_FAILED', `The SigningKey for ${key.algorithm} returned no signature bytes (a Uint8Array is expected).`);
    }
    if (spec.curveOrder === undefined) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    // A copy before the low-S rewrite: the bytes belong to the backend, which may reuse them.
    const p1363 = raw.byteLength === spec.signatureBytes ? Buffer.from(raw) : derToP1363(raw, spec.signatureBytes as number);
    return normalizeLowS(p1363, spec.curveOrder);
  };

  const attempt = (data: Buffer, signal: AbortSignal | undefined): Promise<Buffer> =>
    new Promise<Buffer>((resolve, reject) => {
      // Aborted while it waited for its turn: the turn it was given goes to the next one.
      if (signal?.aborted) {
        release();
        reject(aborted());
        return;
      }
      let controller: AbortController | undefined;
      let settled = false;
      let stopped: { reason: unknown } | undefined;
      const onAbort = (): void => stop(aborted(), signal?.reason);
      const stop = (error: Error, reason: unknown): void => {
        if (settled) return;
        settled = true;
        stopped = { reason };
        deadlines.settle(deadline);
        signal?.removeEventListener('abort', onAbort);
        controller?.abort(reason);
        release();
        reject(error);
      };
      const deadline = deadlines.add(() =>
        stop(
          new SignetError('ERR_SIGNING_FAILED', `The SigningKey did not sign within ${limits.signTimeoutMs} ms (signTimeoutMs); the request was not sent.`),
          new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
        ),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      // The signal the backend gets, made when it first looks: aborted by the deadline or by the caller's signal.
      const options = {
        get signal(): AbortSignal {
          controller ??= new AbortController();
          if (stopped !== undefined && !controller.signal.aborted) controller.abort(stopped.reason);
          return controller.signal;
        },
      };
      const finish = (outcome: () => Buffer): void => {
        if (settled) return;
        settled = true;
        deadlines.settle(deadline);
        signal?.removeEventListener('abort', onAbort);
        release();
        try {
          resolve(outcome());
        } catch (error) {
          reject(error);
        }
      };
      let pending: Promise<Uint8Array>;
      try {
        pending = key.sign(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), options);
      } catch (error) {
        pending = Promise.reject(error);
      }
      Promise.resolve(pending).then(
        (raw) => finish(() => toJws(raw)),
        (error: unknown) =>
          finish(() => {
            if (error instanceof SignetError) throw error;
            throw new SignetError('ERR_SIGNING_FAILED', `The SigningKey for ${key.algorithm} failed to sign; the request was not sent.`, { cause: detach(error) });
          }),
      );
    });

  return (data, signal) => {
    if (signal?.aborted) return Promise.reject(aborted());
    const wait = turn(signal);
    return wait === undefined ? attempt(data, signal) : wait.then(() => attempt(data, signal));
  };
}

interface Deadline {
  readonly at: number;
  expire: (() => void) | undefined;
}

/**
 * Deadlines of one length on one timer. They expire in the order they were set; signatures mostly finish in that
 * order too, so settling one drops the settled ones from the front, the queue holds about what is in flight, and a
 * settled signature's closures are garbage at once. The timer is cleared when nothing is left, so an idle process
 * can exit.
 */
class Deadlines {
  private queue: Deadline[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ms: number) {}

  add(expire: () => void): Deadline {
    const deadline: Deadline = { at: Date.now() + this.ms, expire };
    this.queue.push(deadline);
    this.timer ??= setTimeout(this.fire, this.ms);
    return deadline;
  }

  settle(deadline: Deadline): void {
    deadline.expire = undefined;
    this.drop();
  }

  private drop(): void {
    while (this.head < this.queue.length && (this.queue[this.head] as Deadline).expire === undefined) this.head += 1;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = Date.now();
    const due: Array<() => void> = [];
    for (let at = this.head; at < this.queue.length; at++) {
      const deadline = this.queue[at] as Deadline;
      if (deadline.at > now) break;
      if (deadline.expire !== undefined) due.push(deadline.expire);
    }
    // Each expiry settles its own entry, which may shrink the queue: they run after the walk.
    for (const expire of due) expire();
    this.drop();
    const next = this.queue[this.head];
    if (next !== undefined) this.timer ??= setTimeout(this.fire, Math.max(1, next.at - now));
  };
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

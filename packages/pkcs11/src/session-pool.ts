import { SignetError } from '@signet/core';

type Session = Buffer;

interface Waiter {
  grant(session: Session): void;
  fail(error: unknown): void;
}

/**
 * Lends PKCS#11 sessions one operation at a time. A session cannot interleave two operations (C_SignInit then
 * C_Sign must pair up), so each concurrent signature borrows its own; up to `size` are opened, lazily, and the rest
 * of the callers queue. A session the token has dropped is closed and replaced on the next borrow.
 */
export class SessionPool {
  readonly #idle: Session[] = [];
  readonly #waiters: Waiter[] = [];
  #opened = 0;
  #busy = 0;
  #closed: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  constructor(
    private readonly size: number,
    private readonly open: () => Session,
    private readonly dispose: (session: Session) => void,
    private readonly isLost: (error: unknown) => boolean,
    first: Session,
  ) {
    this.#opened = 1;
    this.#idle.push(first);
  }

  /** Runs `operation` on a session of its own; `signal` cancels the wait for one (not a signature under way). */
  async use<T>(operation: (session: Session) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const session = await this.#borrow(signal);
    let lost = false;
    try {
      return await operation(session);
    } catch (error) {
      lost = this.isLost(error);
      throw error;
    } finally {
      this.#giveBack(session, lost);
    }
  }

  /** Refuses new work, lets every signature already asked for (under way or queued) finish, then closes the sessions. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#busy > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      for (const session of this.#idle.splice(0)) this.#close(session);
    })();
    return this.#closed;
  }

  #borrow(signal: AbortSignal | undefined): Promise<Session> {
    if (this.#closed !== undefined) return Promise.reject(closedError());
    if (signal?.aborted) return Promise.reject(signal.reason);
    const idle = this.#idle.pop();
    if (idle !== undefined) return Promise.resolve(this.#lend(idle));
    if (this.#opened < this.size) {
      try {
        return Promise.resolve(this.#lend(this.#openOne()));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<Session>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: (session) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.#lend(session));
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #giveBack(session: Session, lost: boolean): void {
    this.#busy--;
    const waiter = this.#waiters.shift();
    if (lost) this.#close(session);
    if (waiter !== undefined) {
      try {
        waiter.grant(lost ? this.#openOne() : session);
      } catch (error) {
        // The token cannot give a new session now (unplugged, failed over): the queue would wait for nothing.
        waiter.fail(error);
        for (const next of this.#waiters.splice(0)) next.fail(error);
      }
    } else if (!lost) {
      if (this.#closed === undefined) this.#idle.push(session);
      else this.#close(session);
    }
    if (this.#busy === 0) this.#drained?.();
  }

  #lend(session: Session): Session {
    this.#busy++;
    return session;
  }

  #openOne(): Session {
    const session = this.open();
    this.#opened++;
    return session;
  }

  #close(session: Session): void {
    this.#opened--;
    try {
      this.dispose(session);
    } catch {
      // A session the token already dropped cannot be closed again; it is gone either way.
    }
  }
}

const closedError = (): SignetError => new SignetError('ERR_SIGNING_FAILED', 'this PKCS#11 key was closed; create a new one with pkcs11Key().');

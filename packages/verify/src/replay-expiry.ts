/** The ids that share one whole-second TTL, in the order they were added, which is their expiry order. */
interface TtlQueue {
  readonly ttlMs: number;
  ids: string[];
  expiries: number[];
  head: number;
}

/**
 * When each remembered id expires, kept so that finding what has expired never looks at what has not.
 *
 * Ids are grouped by TTL (whole seconds): with a clock that never goes back, ids added with the same TTL expire in
 * the order they were added, so each group is a FIFO queue. A min-heap orders the queues by their oldest id. Adding
 * is O(1) (O(log k) when a TTL is new), and `expire` touches only the ids it removes plus O(log k) per queue it
 * advances, where k is the number of distinct TTLs in use: at most the longest TTL in seconds, whatever the number
 * of ids. Nothing is ever scanned.
 * @internal
 */
export class ExpirySchedule {
  readonly #queues = new Map<number, TtlQueue>();
  /** Non-empty queues, as a binary min-heap on the expiry of their head. */
  readonly #heap: TtlQueue[] = [];

  add(id: string, ttlMs: number, expiresAt: number): void {
    let queue = this.#queues.get(ttlMs);
    if (queue === undefined) {
      queue = { ttlMs, ids: [], expiries: [], head: 0 };
      this.#queues.set(ttlMs, queue);
    }
    queue.ids.push(id);
    queue.expiries.push(expiresAt);
    if (queue.ids.length - queue.head === 1) this.#push(queue);
  }

  /** Calls `forget` for every id whose expiry is at or before `now`, oldest first, and for no other. */
  expire(now: number, forget: (id: string) => void): void {
    for (;;) {
      const queue = this.#heap[0];
      if (queue === undefined || headExpiry(queue) > now) return;
      this.#pop();
      while (queue.head < queue.ids.length && headExpiry(queue) <= now) {
        forget(queue.ids[queue.head] as string);
        queue.head += 1;
      }
      if (queue.head === queue.ids.length) {
        this.#queues.delete(queue.ttlMs);
        continue;
      }
      // Drop the consumed prefix once it is most of the array: amortized O(1) per id, like a ring buffer.
      if (queue.head >= 1024 && queue.head * 2 >= queue.ids.length) {
        queue.ids = queue.ids.slice(queue.head);
        queue.expiries = queue.expiries.slice(queue.head);
        queue.head = 0;
      }
      this.#push(queue);
    }
  }

  #push(queue: TtlQueue): void {
    const heap = this.#heap;
    let i = heap.push(queue) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (headExpiry(heap[parent] as TtlQueue) <= headExpiry(queue)) break;
      heap[i] = heap[parent] as TtlQueue;
      i = parent;
    }
    heap[i] = queue;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop() as TtlQueue;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && headExpiry(heap[right] as TtlQueue) < headExpiry(heap[left] as TtlQueue) ? right : left;
      if (headExpiry(heap[child] as TtlQueue) >= headExpiry(last)) break;
      heap[i] = heap[child] as TtlQueue;
      i = child;
    }
    heap[i] = last;
  }
}

function headExpiry(queue: TtlQueue): number {
  return queue.expiries[queue.head] as number;
}

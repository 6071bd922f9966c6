/**
 * The simulator's discrete-event clock: a binary min-heap of (time, order) keys, so the next
 * event is always the earliest one and events at the same virtual millisecond leave in the
 * order they were scheduled (FIFO). Nothing here reads real time: the run loop pops events and
 * jumps virtual time to them, which is how days pass in minutes.
 */

export interface QueuedEvent<T> {
  readonly atMs: number;
  readonly value: T;
  /** Scheduling order: the tie-breaker for equal times. */
  readonly order: number;
}

export class EventQueue<T> {
  #heap: QueuedEvent<T>[] = [];
  #order = 0;

  get size(): number {
    return this.#heap.length;
  }

  /** Schedules `value` at virtual time `atMs` (finite). */
  push(atMs: number, value: T): void {
    if (typeof atMs !== 'number' || !Number.isFinite(atMs)) throw new RangeError(`event time must be a finite number, got ${String(atMs)}`);
    const heap = this.#heap;
    heap.push({ atMs, value, order: this.#order++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** The earliest event without removing it. */
  peek(): QueuedEvent<T> | undefined {
    return this.#heap[0];
  }

  /** Removes and returns the earliest event (ties: first scheduled first). */
  pop(): QueuedEvent<T> | undefined {
    const heap = this.#heap;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }

  /** Pops every event due at or before `atMs`, earliest first. */
  popUntil(atMs: number, max = Number.POSITIVE_INFINITY): QueuedEvent<T>[] {
    const out: QueuedEvent<T>[] = [];
    while (out.length < max && this.#heap.length > 0 && this.#heap[0]!.atMs <= atMs) out.push(this.pop()!);
    return out;
  }
}

function before<T>(a: QueuedEvent<T>, b: QueuedEvent<T>): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
}
